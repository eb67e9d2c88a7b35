import path from 'node:path';
import type { DagPlan } from '../../../pipelines/dag.js';

/**
 * The dataset folders and model folders a plan made from the user's own run config names. The CLI's local
 * workers accept these besides the configured data roots, so `shelfssl run --dataset DIR` works for any DIR
 * the user chose, while a worker elsewhere still accepts only its configured roots.
 */
export function planDataRoots(plan: DagPlan): string[] {
  const roots = new Set<string>();
  for (const node of plan.nodes) {
    const { location, model } = node.params;
    if (typeof location === 'string') roots.add(location);
    if (typeof model === 'string')
      roots.add(model.startsWith('s3://') ? model.slice(0, model.lastIndexOf('/') + 1) : path.dirname(model));
  }
  return [...roots];
}
