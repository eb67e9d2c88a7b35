import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportInput } from './model.js';
import { type SummaryRow, summariseResults } from './summary.js';

/** Drawn at this size in CSS pixels; rasterised at 2× so it stays sharp when Excel scales it. */
export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 360;
const RASTER_SCALE = 2;
/** Installed with fonts-dejavu-core; named explicitly so vega's text measurement and resvg agree. */
const CHART_FONT = 'DejaVu Sans';

const HEAD_MODES = ['supervised', 'semi-supervised'];

interface ChartPoint {
  fractionPct: number;
  accuracyPct: number;
  lowPct: number;
  highPct: number;
  backbone: string;
  headMode: string;
}

/** Accuracy vs % labelled, one line per backbone × head, as a PNG. */
export async function renderAccuracyChart(input: ReportInput): Promise<Buffer> {
  return await renderChartPng(accuracyChartSpec(summariseResults(input.results), input.title));
}

/**
 * Charts drawn in this process, by spec. Drawing takes ~0.2 s (vega-lite compile, SVG, resvg with the system
 * fonts) and a weekly or cached run mostly redraws the same chart; the local workers live that long.
 */
const drawn = new Map<string, Promise<Buffer>>();
const MAX_DRAWN = 16;

/** A vega-lite spec as a PNG, with the report's font and raster scale. */
export async function renderChartPng(spec: TopLevelSpec): Promise<Buffer> {
  const key = JSON.stringify(spec);
  let png = drawn.get(key);
  if (!png) {
    png = drawChartPng(spec);
    drawn.set(key, png);
    png.catch(() => drawn.delete(key));
    if (drawn.size > MAX_DRAWN) drawn.delete(drawn.keys().next().value as string);
  }
  return Buffer.from(await png);
}

async function drawChartPng(spec: TopLevelSpec): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: RASTER_SCALE },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}

/**
 * Colour tells backbones apart and dash tells head modes apart, so the eye can
 * compare either at a glance; error bars show ± one std over seeds.
 */
export function accuracyChartSpec(rows: readonly SummaryRow[], title: string): TopLevelSpec {
  const x = {
    field: 'fractionPct',
    type: 'quantitative' as const,
    title: '% of training labels used',
    scale: { domain: [0, 100] },
    axis: { values: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
  };
  const yTitle = 'Test accuracy (%, mean ± std over seeds)';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Accuracy vs % labelled', subtitle: title },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    background: 'white',
    config: { font: CHART_FONT, view: { stroke: null } },
    data: { values: rows.map(toChartPoint) },
    encoding: { x, color: { field: 'backbone', type: 'nominal', title: 'Backbone' } },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.7 },
        encoding: {
          y: { field: 'lowPct', type: 'quantitative', title: yTitle, scale: { zero: false } },
          y2: { field: 'highPct' },
          detail: { field: 'headMode' },
        },
      },
      {
        // Points drawn apart from the line so the head legend is built from the
        // line alone and shows its dash pattern (with `point: true` it shows dots).
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          y: { field: 'accuracyPct', type: 'quantitative', title: yTitle },
          strokeDash: { field: 'headMode', type: 'nominal', title: 'Head', sort: HEAD_MODES },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 1 },
        encoding: {
          y: { field: 'accuracyPct', type: 'quantitative', title: yTitle },
          detail: { field: 'headMode' },
        },
      },
    ],
  };
}

function toChartPoint(row: SummaryRow): ChartPoint {
  return {
    fractionPct: row.fractionPct,
    accuracyPct: row.accuracyMean * 100,
    lowPct: (row.accuracyMean - row.accuracyStd) * 100,
    highPct: (row.accuracyMean + row.accuracyStd) * 100,
    backbone: row.backbone,
    headMode: row.headMode,
  };
}

/** renderer 'none': no canvas or DOM is needed in a worker, only the scenegraph to SVG. */
async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
