import type { TopLevelSpec } from 'vega-lite';
import { CHART_HEIGHT, CHART_WIDTH } from './chart.js';
import type { ShelfShareLine } from './shelf-share.js';

/** One horizontal bar per store (or image), split into each class's share of its facings. */
export function shelfShareChartSpec(
  lines: readonly ShelfShareLine[],
  classNames: readonly string[],
  title: string,
  groupTitle: string,
): TopLevelSpec {
  const values = lines.flatMap((line) =>
    classNames.map((cls, c) => ({
      group: line.image,
      cls,
      share: line.shares[c] ?? 0,
      facings: line.counts[c] ?? 0,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Share of shelf', subtitle: title },
    width: CHART_WIDTH,
    height: Math.min(CHART_HEIGHT * 2, Math.max(120, 22 * lines.length)),
    background: 'white',
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'group', type: 'nominal', title: groupTitle, sort: null },
      x: {
        field: 'share',
        type: 'quantitative',
        title: 'Share of facings',
        axis: { format: '%' },
        stack: 'normalize',
      },
      color: { field: 'cls', type: 'nominal', title: 'Class', sort: [...classNames] },
      order: { field: 'cls', sort: 'ascending' },
    },
  };
}
