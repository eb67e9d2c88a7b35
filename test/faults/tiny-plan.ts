import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import { expandPaperPipeline, type RunConfig, RunConfigSchema } from '../../pipelines/paper.js';

export interface TinySwav {
  epochs: number;
  checkpointEverySteps: number;
}

/** The paper-e2e configuration: tiny shelves, a 16-px small ResNet, one SwAV backbone. */
export function tinyPaperConfig(location: string, swav: TinySwav, name = 'faults'): RunConfig {
  const arch = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };
  return RunConfigSchema.parse({
    name,
    dataset: { location },
    crop: { cropSize: 16, seed: 5 },
    backbones: [
      {
        name: 'swav',
        kind: 'swav',
        swav: {
          arch,
          epochs: swav.epochs,
          batchSize: 16,
          prototypes: 8,
          projHidden: 32,
          projOut: 16,
          globalCrop: 16,
          localCrop: 8,
          checkpointEverySteps: swav.checkpointEverySteps,
          freezePrototypesSteps: 2,
          // Tiny data keeps the loss near ln K for a few epochs; collapse detection is not under test here.
          collapsePatience: 50,
        },
      },
    ],
    heads: { modes: ['supervised'] },
    sweep: { fractions: [100], seeds: 1 },
    report: { title: 'fault tests' },
  });
}

/** The nodes up to the SwAV features: what the kill tests need (heads and report add nothing there). */
export const SWAV_NODES = ['snapshot', 'ingest', 'boxes', 'crop', 'backbone@swav', 'features@swav'];

/** Stages that heartbeat while they work; a short heartbeat timeout would kill the others spuriously. */
const HEARTBEATING = new Set(['crop', 'pretrain', 'features']);

export interface FaultTiming {
  heartbeatTimeout: string;
  initialInterval: string;
  /** For stages that never heartbeat: the only way a crashed worker's task is noticed (default: keep). */
  startToCloseTimeout?: string;
}

/**
 * Keeps the named nodes and makes a crashed worker's activity time out and retry within seconds instead
 * of the production heartbeat timeout of minutes.
 */
export function faultPlan(config: RunConfig, keep: readonly string[] | 'all', timing: FaultTiming): DagPlan {
  const plan = expandPaperPipeline(config);
  const nodes = plan.nodes
    .filter((n) => keep === 'all' || keep.includes(n.id))
    .map((n): DagNode => shortenTimeouts(n, timing));
  return { pipeline: plan.pipeline, nodes };
}

function shortenTimeouts(n: DagNode, timing: FaultTiming): DagNode {
  const retry = { ...n.retry, initialInterval: timing.initialInterval, maximumInterval: '2 seconds' };
  if (HEARTBEATING.has(n.stage)) return { ...n, heartbeatTimeout: timing.heartbeatTimeout, retry };
  const startToClose = timing.startToCloseTimeout ?? n.startToCloseTimeout;
  return { ...n, startToCloseTimeout: startToClose, retry };
}
