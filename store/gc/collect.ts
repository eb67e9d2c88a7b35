import type { Client } from '@temporalio/client';
import type { Bucket } from '../artefacts.js';
import { aliasRoots } from './alias-roots.js';
import { markReachable } from './mark.js';
import { readPins } from './pins.js';
import { planSweep, type SweepPlan } from './plan.js';
import { type KeptRun, runRoots } from './run-roots.js';
import { sweepUnits } from './sweep.js';
import { listUnits } from './units.js';

export interface GcOptions {
  keepRuns: number;
  keepWeeks: number;
  graceMs: number;
  dryRun: boolean;
  now?: Date;
}

export interface GcResult {
  plan: SweepPlan;
  kept: KeptRun[];
  aliases: string[];
  swept: boolean;
}

/**
 * Mark and sweep: roots from aliases, pinned runs, running runs and the newest runs of each pipeline; marked
 * through manifests' input refs; the rest of artefacts and published stage runs' checkpoints swept, never
 * anything younger than the grace period. Units are listed before the roots are read, so an artefact a run
 * publishes meanwhile is either young or not listed: never swept.
 */
export async function collectGarbage(client: Client, b: Bucket, opts: GcOptions): Promise<GcResult> {
  const now = opts.now ?? new Date();
  const artefacts = await listUnits(b, 'artefacts');
  const checkpoints = await listUnits(b, 'checkpoints');
  const aliases = await aliasRoots(b);
  const runs = await runRoots(client, {
    keepRuns: opts.keepRuns,
    keepWeeks: opts.keepWeeks,
    pinned: await readPins(b),
    now,
  });
  if (runs.unreadable.length > 0)
    throw new Error(
      `gc: cannot read the state of running run(s) ${runs.unreadable.join(', ')} (no worker for their ` +
        'workflow queue?): what they need is unknown, so nothing was removed. Start a worker or wait for them',
    );
  const marked = await markReachable(b, [...aliases.roots, ...runs.roots]);
  const planned = planSweep(artefacts, checkpoints, marked, now, opts.graceMs);
  // A run may have taken an old artefact from the cache while we marked: ask the running runs once more.
  const late = await runRoots(client, { keepRuns: 0, keepWeeks: 0, pinned: [], now });
  const needed = await markReachable(b, late.roots);
  const remove = planned.remove.filter((u) => u.kind !== 'artefacts' || !needed.has(u.id));
  const plan = { ...planned, remove, bytes: remove.reduce((s, u) => s + u.bytes, 0) };
  if (!opts.dryRun) await sweepUnits(b, plan.remove);
  return { plan, kept: runs.kept, aliases: aliases.aliases, swept: !opts.dryRun };
}
