// Renders a BenchResult as a plain-text table: every tfjs backend, PyTorch at 1 and 2 threads,
// then each backend's ratio to each PyTorch row (≥ 1.00 means at least PyTorch's speed).
import type { BackendFigures, BenchResult, TfjsFigures } from './backend-types.js';

type Column = keyof TfjsFigures;

const COLUMNS: { key: Column; title: string }[] = [
  { key: 'smallTrainImgPerSec', title: 'small train img/s' },
  { key: 'swavTrainImgPerSec', title: 'SwAV step img/s' },
  { key: 'smallInferImgPerSec', title: 'small infer img/s' },
  { key: 'resnet50InferImgPerSec', title: 'ResNet-50 infer img/s' },
];

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : value.toFixed(2);
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

/** The request label the bench keyed this backend's runs by ('tensorflow', 'tensorflow:1'...). */
function backendKey(b: BackendFigures): string {
  return b.request ?? b.backend.name;
}

function backendLabel(b: BackendFigures): string {
  const runtime = b.backend.runtime === undefined ? '' : ` (${b.backend.runtime})`;
  return `tfjs ${b.backend.name}${runtime}`;
}

function headerLines(result: BenchResult): string[] {
  const m = result.machine;
  const s = result.settings;
  const load = m.loadAverage.map((l) => l.toFixed(2));
  return [
    `machine: ${m.cpuModel} | ${m.cores} cores | ${m.memoryGiB.toFixed(1)} GiB | ${m.platform} | node ${m.node}`,
    `cpu features: ${m.simd} | load average before ${load.slice(0, 3).join(' ')}, after ${load.slice(3).join(' ')}`,
    `settings: small ResNet 32x32 batch ${s.smallBatch} (SwAV: 2x32 px + 2x16 px views of ${s.smallBatch} images, ` +
      `head 256-256-64, 64 prototypes), ResNet-50 224x224 batch ${s.r50Batch}; ` +
      `1 warm-up + ${s.reps} reps (ResNet-50: ${s.r50Reps}), median; ${result.rounds} round(s), median of rounds`,
    `each backend and each PyTorch thread count in a fresh process; tfjs-core ${result.backends[0]?.backend.version ?? '?'}; ` +
      "ratios: median over rounds of the same round's ratio",
    '',
  ];
}

export function formatBenchTable(result: BenchResult): string {
  const lines = headerLines(result);
  const header = ['runtime', 'threads', ...COLUMNS.map((c) => c.title)];
  const rows: string[][] = [];
  for (const b of result.backends) {
    rows.push([backendLabel(b), String(b.backend.threads), ...COLUMNS.map((c) => fmt(b[c.key]))]);
  }
  for (const t of result.torch) {
    rows.push([`PyTorch ${t.torch}`, String(t.threads), ...COLUMNS.map((c) => fmt(t[c.key]))]);
  }
  for (const p of result.pairedRatios) {
    const b = result.backends.find((x) => backendKey(x) === p.backend);
    const threads = b === undefined ? '' : `:${b.backend.threads}t`;
    const label = `ratio ${b?.backend.name ?? p.backend}${threads} / PyTorch ${p.torchThreads}t`;
    rows.push([label, '', ...COLUMNS.map((c) => fmt(p.ratios[c.key]))]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  lines.push(pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) lines.push(pad(r, widths));
  for (const u of result.unavailable) lines.push(`not measured: tfjs ${u.request}: ${u.reason}`);
  if (result.torchError !== undefined) lines.push('', `PyTorch reference failed: ${result.torchError}`);
  return lines.join('\n');
}
