/**
 * Artefact file names come back from the bucket inside manifests and workers join them into local paths, so
 * only plain relative names in a small charset pass: no separator but `/`, no segment starting with a dot
 * (so no `.` or `..`), no absolute path, and a bounded length.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MAX_LENGTH = 255;
const MAX_SEGMENTS = 4;

/** Why `name` is not an acceptable artefact file name, or undefined when it is. */
export function artefactFileNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_LENGTH) return `must be 1-${MAX_LENGTH} characters`;
  const segments = name.split('/');
  if (segments.length > MAX_SEGMENTS) return `at most ${MAX_SEGMENTS} path segments`;
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined)
    return `segment ${JSON.stringify(bad.slice(0, 40))} must be letters, digits, '.', '_' or '-' and not start with '.'`;
  return undefined;
}
