import type { z } from 'zod';
import type { StageProgress } from '../pipelines/progress.js';
import type { StageDef } from '../pipelines/stage.js';
import type { ArtefactRef, Manifest } from '../store/artefact-schema.js';
import type { ArtefactWriter, Bucket } from '../store/artefacts.js';
import type { CheckpointPointer } from '../store/checkpoints.js';
import type { UpstreamCacheHits, UpstreamFailures } from './stage-input.js';

export interface LoadedInput {
  ref: ArtefactRef;
  manifest: Manifest;
  /** Downloads one file and verifies its sha256. */
  read(name: string): Promise<Buffer>;
}

export interface StageContext {
  stage: string;
  nodeId: string;
  cacheKey: string;
  bucket: Bucket;
  inputs: Record<string, LoadedInput>;
  /** Optional inputs absent because their upstream failed (undefined when every input is there). */
  upstreamFailures: UpstreamFailures | undefined;
  /** The upstream artefacts this run took from the cache; told to volatile nodes only (else undefined). */
  upstreamCacheHits: UpstreamCacheHits | undefined;
  writer: ArtefactWriter;
  /** Heartbeats (and, throttled, tells the workflow) how far the stage is. */
  progress(p: StageProgress): void;
  /** Heartbeat details of the previous attempt, for resuming. */
  previousProgress: StageProgress | undefined;
  saveCheckpoint(step: number, blob: Uint8Array): Promise<CheckpointPointer>;
  loadCheckpoint(): Promise<{ pointer: CheckpointPointer; blob: Buffer } | undefined>;
  /** A local scratch directory, removed after the stage. */
  scratchDir: string;
  cancelled: AbortSignal;
  log(message: string): void;
}

export interface StageResult {
  metrics: Record<string, unknown>;
  backend?: string;
}

/** A stage's implementation: its declaration plus the function an activity runs. */
export interface StageImpl<P extends z.ZodType = z.ZodType> {
  def: StageDef<P>;
  /**
   * The defining module's `import.meta.url`: its import graph is the stage's code identity (part of the cache
   * key). Unset for the paper's stages, which live in `activities/stages/<name>.ts`.
   */
  module?: string;
  run(ctx: StageContext, params: z.output<P>): Promise<StageResult>;
}

/**
 * Keeps each stage's params typed inside its own `run` while the registry holds them uniformly.
 * Sound because the stage runner parses params with `def.params` before calling `run`.
 */
export function defineStage<P extends z.ZodType>(impl: StageImpl<P>): StageImpl {
  return impl as unknown as StageImpl;
}
