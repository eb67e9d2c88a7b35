import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import type { OutputContracts } from '../pipelines/artefact-contract.js';
import { type StageProgress, StageProgressSchema } from '../pipelines/progress.js';
import { producerOutputs, type StageDef } from '../pipelines/stage.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import {
  ArtefactCorruptError,
  ArtefactWriter,
  type Bucket,
  bucketOf,
  readManifest,
  verifyManifest,
} from '../store/artefacts.js';
import {
  clearCheckpoints,
  loadLatestCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
} from '../store/checkpoints.js';
import { tryLease } from '../store/stage-lease.js';
import { openArtefact } from './artefact-input.js';
import { nodeCacheKey, type StageCodeIdentities } from './cache.js';
import type { ActivityDeps } from './deps.js';
import { contractWriter, OutputContractError, requiredFiles } from './output-contract.js';
import { createProgressReporter } from './progress-reporter.js';
import { StageFailure } from './stage-failure.js';
import { StageRunInputSchema, type StageRunResult } from './stage-input.js';
import type { LoadedInput, StageContext, StageImpl } from './stage-types.js';
import { isStorageUnreachable, waitForStorage } from './storage-outage.js';

const KEEP_ALIVE_MS = 10_000;
/** How often a stage waiting on another run's identical stage looks for its artefact. */
const LEASE_POLL_MS = 2000;

export { StageFailure };

/** Loads input `name` of a stage with its producer's output contracts, so the stage reads them typed. */
async function loadInput(
  bucket: Bucket,
  def: StageDef,
  name: string,
  ref: ArtefactRef,
): Promise<LoadedInput> {
  let outputs: StageDef['outputs'] | undefined;
  try {
    outputs = producerOutputs(def, name, ref.stage);
  } catch (err) {
    throw ApplicationFailure.nonRetryable((err as Error).message, 'StageFailure');
  }
  const contracts =
    outputs === undefined || Array.isArray(outputs) ? undefined : (outputs as OutputContracts);
  return await openArtefact(bucket, ref, contracts, `input "${name}" ${ref.stage}/${ref.key}`);
}

/**
 * Wraps a stage implementation as an idempotent activity: if the artefact was already published (an
 * earlier attempt finished but its completion was lost) it returns that; otherwise it runs the stage
 * with resumable checkpoints and publishes data first, manifest last.
 */
export function stageActivity(deps: ActivityDeps, impl: StageImpl, codes: StageCodeIdentities) {
  const bucket: Bucket = bucketOf(deps.settings, deps.s3);
  const signalEveryMs = Number(process.env.SHELFSSL_PROGRESS_SIGNAL_MS ?? 2000);
  const codeIdentity = codes[impl.def.name];
  if (codeIdentity === undefined) throw new Error(`stage ${impl.def.name} has no code identity`);
  const attempt = runStageAttempt(bucket, impl, codeIdentity, signalEveryMs, deps.settings.dataRoots);
  return async (raw: unknown): Promise<StageRunResult> => {
    const beat: { last?: StageProgress } = {};
    // Every stage heartbeats, even one that reports no progress, so a dead worker is noticed within the
    // heartbeat timeout instead of the (hours-long) start-to-close timeout.
    const actx = Context.current();
    const keepAlive = setInterval(
      () => actx.heartbeat({ ...(beat.last ?? {}), at: Date.now() }),
      KEEP_ALIVE_MS,
    );
    try {
      return await attempt(raw, beat);
    } catch (err) {
      // Fail this attempt only once storage is back, so an outage costs one attempt, not all of them.
      if (isStorageUnreachable(err)) await waitForStorage(bucket, () => beat.last);
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
  };
}

function runStageAttempt(
  bucket: Bucket,
  impl: StageImpl,
  codeIdentity: string,
  signalEveryMs: number,
  dataRoots: readonly string[],
) {
  return async (raw: unknown, beat: { last?: StageProgress }): Promise<StageRunResult> => {
    const parsed = StageRunInputSchema.safeParse(raw);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'stage input'));
    const { node, cacheKey, inputs, recompute, upstreamFailures, upstreamCacheHits, upstreamNodes } =
      parsed.data;
    const params = impl.def.params.safeParse(node.params);
    if (!params.success) {
      throw ApplicationFailure.nonRetryable(
        formatZodError(params.error, `stage ${node.stage} params`, node.params),
      );
    }
    if (nodeCacheKey({ node, inputs }, codeIdentity) !== cacheKey) {
      // The key was computed by a worker of another build: what this one would publish is other code's output.
      throw ApplicationFailure.nonRetryable(
        `stage ${node.stage}: this worker's code differs from the worker that computed cache key ` +
          `${cacheKey.slice(0, 12)} (mixed builds?): run one build on every worker`,
        'StageFailure',
      );
    }
    const attempt = Context.current().info.attempt;
    // A manifest that does not verify (unsigned, edited, copied) is no result: recompute and overwrite it.
    const existing = recompute
      ? undefined
      : await readManifest(bucket, node.stage, cacheKey).catch((err: unknown) => {
          if (err instanceof ArtefactCorruptError) return undefined;
          throw err;
        });
    if (existing && (await verifyManifest(bucket, existing)).ok) {
      return { ref: { stage: node.stage, key: cacheKey, digest: existing.digest }, attempt, reused: true };
    }
    const actx = Context.current();
    const report = createProgressReporter(node.id, signalEveryMs);
    const lease = await leaseOrTheirResult(bucket, node.stage, cacheKey, {
      me: { workflowId: actx.info.workflowExecution?.workflowId ?? actx.info.activityId, nodeId: node.id },
      recompute,
      waiting: (p) => {
        beat.last = p;
        report(p);
      },
    });
    if (lease.kind === 'published') return { ref: lease.ref, attempt, reused: true };
    try {
      return await computeStage();
    } finally {
      await lease.release();
    }

    async function computeStage(): Promise<StageRunResult> {
      // A forced recompute starts from scratch; a retry of it may still resume from its own checkpoints.
      if (recompute && attempt === 1) await clearCheckpoints(bucket, node.stage, cacheKey);
      const loaded: Record<string, LoadedInput> = {};
      for (const [name, ref] of Object.entries(inputs))
        loaded[name] = await loadInput(bucket, impl.def, name, ref);

      const previous = StageProgressSchema.safeParse(actx.info.heartbeatDetails);
      if (previous.success) beat.last = previous.data;
      const scratchDir = await mkdtemp(path.join(os.tmpdir(), `shelfssl-${node.stage}-`));
      const writer = new ArtefactWriter(bucket, node.stage, cacheKey);
      const ctx: StageContext = {
        stage: node.stage,
        nodeId: node.id,
        cacheKey,
        bucket,
        inputs: loaded,
        upstreamFailures,
        upstreamCacheHits,
        upstreamNodes,
        writer: contractWriter(writer, impl.def),
        progress: (p) => {
          beat.last = p;
          report(p);
        },
        previousProgress: previous.success ? previous.data : undefined,
        saveCheckpoint: async (step, blob) => {
          const pointer = await saveCheckpoint(bucket, node.stage, cacheKey, step, blob);
          await pruneCheckpoints(bucket, node.stage, cacheKey);
          return pointer;
        },
        loadCheckpoint: () => loadLatestCheckpoint(bucket, node.stage, cacheKey),
        scratchDir,
        dataRoots,
        cancelled: actx.cancellationSignal,
        log: (m) => actx.log.info(m),
      };
      const startedAt = new Date();
      try {
        const result = await impl.run(ctx, params.data);
        const missing = requiredFiles(impl.def).filter((o) => !writer.fileNames().includes(o));
        if (missing.length > 0)
          throw new Error(`stage ${node.stage} did not write declared outputs: ${missing.join(', ')}`);
        const { ref } = await writer.publish({
          codeVersion: node.codeVersion,
          codeIdentity,
          params: params.data,
          inputs: { ...result.sources, ...inputs },
          metrics: result.metrics,
          startedAt,
          ...(result.backend ? { backend: result.backend } : {}),
        });
        return { ref, attempt, reused: false };
      } catch (err) {
        if (err instanceof StageFailure || err instanceof OutputContractError)
          throw ApplicationFailure.nonRetryable(err.message, 'StageFailure');
        // Inputs are sha256-verified before a stage parses them, so data that fails a schema fails the same
        // way on every attempt: retrying only hides the cause behind minutes of backoff.
        if (err instanceof z.ZodError) {
          const message = formatZodError(err, `stage ${node.stage}: data it read`);
          throw ApplicationFailure.nonRetryable(message, 'StageFailure');
        }
        throw err;
      } finally {
        await rm(scratchDir, { recursive: true, force: true });
      }
    }
  };
}

/**
 * Holds this (stage, cache key)'s lease while computing, so an identical run started meanwhile waits for
 * this artefact instead of computing it again; or, when another run holds it, waits (reporting whom it waits
 * on) until that run publishes, and returns its artefact. A forced recompute waits too, then computes.
 */
async function leaseOrTheirResult(
  bucket: Bucket,
  stage: string,
  cacheKey: string,
  opts: {
    me: { workflowId: string; nodeId: string };
    recompute: boolean;
    waiting: (p: StageProgress) => void;
  },
): Promise<{ kind: 'held'; release: () => Promise<void> } | { kind: 'published'; ref: ArtefactRef }> {
  for (;;) {
    const lease = await tryLease(bucket, stage, cacheKey, opts.me);
    if (lease.held) return { kind: 'held', release: lease.release };
    opts.waiting({
      message: `waiting on run ${lease.holder.workflowId} (node ${lease.holder.nodeId}), which is computing this ${stage} (same cache key)`,
    });
    await Context.current().sleep(LEASE_POLL_MS);
    if (opts.recompute) continue;
    const published = await readManifest(bucket, stage, cacheKey);
    if (published && (await verifyManifest(bucket, published)).ok)
      return { kind: 'published', ref: { stage, key: cacheKey, digest: published.digest } };
  }
}
