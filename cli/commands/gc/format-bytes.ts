const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `12.3 MB` (powers of 1000, as S3 consoles show sizes). */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}
