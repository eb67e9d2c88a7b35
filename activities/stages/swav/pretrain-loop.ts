import type { LayersModel } from '@tensorflow/tfjs-layers';
import {
  type CollapseVerdict,
  collapseSigns,
  decodeSwavState,
  detectCollapse,
  type EpochStats,
  encodeSwavState,
  type ImageBatch,
  type ResolvedSwavSettings,
  type StepResult,
  SwavTrainer,
  swavTrainerConfig,
} from '../../../ml/swav/index.js';
import { StageFailure } from '../../stage-runner.js';
import type { StageContext } from '../../stage-types.js';
import { yieldToEventLoop } from '../support/artefact-files.js';
import { type MonitorSet, monitorKnnAccuracy } from './swav-monitor.js';
import {
  applyCollapseFixes,
  describeChanges,
  type FixContext,
  loadHealthyState,
  saveHealthyState,
} from './swav-recovery.js';

/** The run's shape, fixed by the data: what the collapse fixes and the progress total need. */
export interface PretrainShape {
  stepsPerEpoch: number;
  images: number;
}

/** Checkpoint labels keep increasing across a collapse retry (the rolling checkpoints are pruned by label). */
export function checkpointLabel(trainer: SwavTrainer): number {
  return trainer.iteration + trainer.stepsAbandoned;
}

/** The state a retry restarts from: the newest healthy epoch's (epoch 0: the initial weights). */
async function healthyState(ctx: StageContext, epoch: number) {
  const blob = await loadHealthyState(ctx.bucket, ctx.cacheKey);
  const state = blob ? decodeSwavState(blob) : undefined;
  if (state?.epoch !== epoch)
    throw new StageFailure(
      `pretrain: the saved state of healthy epoch ${epoch} is missing (found ${state?.epoch ?? 'none'}); ` +
        're-run the stage with --force',
    );
  return state;
}

/**
 * The gate fired: fail with its message and this run's suggested values, or (once, when allowed) swap the
 * trainer for one restarted from the last healthy epoch with the fixes applied.
 */
async function retryOrFail(
  ctx: StageContext,
  trainer: SwavTrainer,
  backbone: LayersModel,
  settings: ResolvedSwavSettings,
  verdict: CollapseVerdict,
  shape: PretrainShape,
): Promise<SwavTrainer> {
  const at: FixContext = {
    restartStep: 0,
    restartEpoch: verdict.lastHealthyEpoch,
    stepsPerEpoch: shape.stepsPerEpoch,
    images: shape.images,
  };
  const previous = trainer.recoveries[0];
  if (!settings.collapseRetry || previous) {
    // Suggest the next step from the settings that just failed (the retried ones, if there was a retry).
    const current = previous
      ? applyCollapseFixes(settings, settings.collapseRetryFixes, {
          ...at,
          restartStep: previous.restartedFromStep,
        }).settings
      : settings;
    const suggested = describeChanges(applyCollapseFixes(current, settings.collapseRetryFixes, at).changes);
    const why = previous
      ? `The stage's one retry (${describeChanges(previous.changes)}) did not help`
      : 'The collapse retry is off (swav.collapseRetry: false)';
    throw new StageFailure(`${verdict.message}. ${why}; next try e.g. ${suggested}`);
  }
  const healthy = await healthyState(ctx, verdict.lastHealthyEpoch);
  const { settings: fixed, changes } = applyCollapseFixes(settings, settings.collapseRetryFixes, {
    ...at,
    restartStep: healthy.iteration,
  });
  ctx.log(`${verdict.message}\nretrying from epoch ${healthy.epoch} with ${describeChanges(changes)}`);
  const recovery = {
    detectedAtEpoch: trainer.epoch,
    detectedAtStep: trainer.iteration,
    restartedFromEpoch: healthy.epoch,
    restartedFromStep: healthy.iteration,
    message: verdict.message,
    changes,
    abandoned: trainer.history.filter((e) => e.epoch > healthy.epoch),
  };
  trainer.dispose();
  const config = swavTrainerConfig(fixed, shape.stepsPerEpoch);
  return SwavTrainer.retryAfterCollapse(healthy, backbone, config, recovery);
}

/**
 * The pretrain stage's training loop around a `SwavTrainer`: one `trainStep` at a time, a checkpoint every
 * `checkpointEverySteps` steps and after every epoch, a heartbeat after every step, and after every epoch the
 * k-NN monitor, the healthy-state copy and the collapse gate (which may swap in a retried trainer).
 */
export class PretrainLoop {
  private checkpointKey: string | undefined;
  /** Loss of the latest step (the epoch's mean after its last step), for the heartbeat and metrics. */
  lastLoss = Number.NaN;

  constructor(
    private readonly ctx: StageContext,
    public trainer: SwavTrainer,
    private readonly backbone: LayersModel,
    private readonly settings: ResolvedSwavSettings,
    private readonly monitor: MonitorSet | null,
    private readonly shape: PretrainShape,
  ) {}

  /** Trains until the planned epochs are done (from wherever the trainer stands). */
  async train(data: ImageBatch): Promise<void> {
    // A crash between an epoch's checkpoint and its gate resumes here: gate it as the lost attempt would have.
    if (this.trainer.atEpochBoundary && this.trainer.epoch > 0) await this.gate();
    while (this.trainer.epoch < this.settings.epochs) {
      const step = this.trainer.trainStep(data);
      if (step.epochEnded) await this.closeEpoch(step.epochEnded);
      else if (step.iteration % this.settings.checkpointEverySteps === 0) await this.checkpoint();
      this.heartbeat(step);
      if (step.epochEnded) await this.gate();
      await yieldToEventLoop();
    }
  }

  private async checkpoint(bytes = encodeSwavState(this.trainer.getState())): Promise<void> {
    this.checkpointKey = (await this.ctx.saveCheckpoint(checkpointLabel(this.trainer), bytes)).key;
  }

  private heartbeat(step: StepResult): void {
    this.lastLoss = step.epochEnded?.loss ?? step.loss;
    this.ctx.progress({
      epoch: this.trainer.epoch,
      step: this.trainer.iteration,
      done: this.trainer.iteration,
      total: this.settings.epochs * this.shape.stepsPerEpoch,
      unit: 'steps',
      loss: this.lastLoss,
      ...(this.checkpointKey ? { checkpointKey: this.checkpointKey } : {}),
    });
  }

  /** After an epoch: score it with the k-NN monitor, keep its state when healthy, checkpoint it. */
  private async closeEpoch(epoch: EpochStats): Promise<void> {
    if (this.monitor) this.trainer.recordKnnAccuracy(await monitorKnnAccuracy(this.backbone, this.monitor));
    const bytes = encodeSwavState(this.trainer.getState());
    // Saved before the checkpoint, so any resumable checkpoint has its healthy epoch saved too.
    if (collapseSigns(epoch, this.settings.prototypes).length === 0)
      await saveHealthyState(this.ctx.bucket, this.ctx.cacheKey, bytes);
    await this.checkpoint(bytes);
  }

  /** The collapse gate: on collapse, fail or continue with a retried trainer (checkpointed at once). */
  private async gate(): Promise<void> {
    const verdict = detectCollapse(this.trainer.history, this.settings.prototypes, {
      patience: this.settings.collapsePatience,
    });
    if (!verdict.collapsed) return;
    this.trainer = await retryOrFail(
      this.ctx,
      this.trainer,
      this.backbone,
      this.settings,
      verdict,
      this.shape,
    );
    await this.checkpoint();
  }
}
