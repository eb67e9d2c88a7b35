// Renders a BenchResult as a plain-text table with tfjs/PyTorch ratios.
import type { BenchResult } from './backend.js';

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(2);
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
}

export function formatBenchTable(result: BenchResult): string {
  const m = result.machine;
  const lines = [
    `machine: ${m.cpuModel} | ${m.cores} cores | ${m.memoryGiB.toFixed(1)} GiB | ${m.platform} | node ${m.node}`,
    `tfjs backend: ${result.backend.name} (threads ${result.backend.threads}, tfjs ${result.backend.version})`,
    `settings: small ResNet 32x32 batch ${result.settings.smallBatch}, ResNet-50 224x224 batch ${result.settings.r50Batch}, ` +
      `1 warm-up + ${result.settings.reps} reps (ResNet-50: ${result.settings.r50Reps}), median`,
    '',
  ];
  const header = ['runtime', 'threads', 'small train img/s', 'small infer img/s', 'ResNet-50 infer img/s'];
  const rows: string[][] = [
    [
      `tfjs ${result.backend.name}`,
      String(result.backend.threads),
      fmt(result.tfjs.smallTrainImgPerSec),
      fmt(result.tfjs.smallInferImgPerSec),
      fmt(result.tfjs.resnet50InferImgPerSec),
    ],
  ];
  for (const t of result.torch) {
    rows.push([
      `PyTorch ${t.torch}`,
      String(t.threads),
      fmt(t.smallTrainImgPerSec),
      fmt(t.smallInferImgPerSec),
      fmt(t.resnet50InferImgPerSec),
    ]);
  }
  for (const t of result.torch) {
    const ratio = (a: number | null, b: number | null) =>
      a === null || b === null || b === 0 ? null : a / b;
    rows.push([
      `ratio tfjs / PyTorch ${t.threads}t`,
      '',
      fmt(ratio(result.tfjs.smallTrainImgPerSec, t.smallTrainImgPerSec)),
      fmt(ratio(result.tfjs.smallInferImgPerSec, t.smallInferImgPerSec)),
      fmt(ratio(result.tfjs.resnet50InferImgPerSec, t.resnet50InferImgPerSec)),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  lines.push(pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) lines.push(pad(r, widths));
  if (result.torchError !== undefined) lines.push('', `PyTorch reference failed: ${result.torchError}`);
  return lines.join('\n');
}
