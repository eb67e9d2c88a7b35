import type { z } from 'zod';
import type {
  BytesFileName,
  JsonFileInput,
  JsonFileName,
  OutputContracts,
} from '../pipelines/artefact-contract.js';
import type { StageProgress } from '../pipelines/progress.js';
import type { InputSource, ProducerDef, StageDef } from '../pipelines/stage.js';
import type { ArtefactRef, Manifest, ManifestFile } from '../store/artefact-schema.js';
import type { Bucket } from '../store/artefacts.js';
import type { CheckpointPointer } from '../store/checkpoints.js';
import type { UpstreamCacheHits, UpstreamFailures } from './stage-input.js';

/**
 * An input artefact as a stage sees it. `O` is its producer's output declaration: `readInputJson` takes only
 * the producer's JSON file names and returns what the producer's schema parses.
 */
export interface LoadedInput<O extends OutputContracts = OutputContracts> {
  ref: ArtefactRef;
  manifest: Manifest;
  /** The producer's output declaration, chosen by the ref's stage (undefined: read untyped). */
  contracts: O | undefined;
  /** Downloads one file and verifies its sha256. */
  read(name: string): Promise<Buffer>;
  /** Streams one file to a local path and verifies its sha256 (for files too large to hold: indexes). */
  download?(name: string, dest: string): Promise<void>;
}

/**
 * The output contracts a declaration's `outputs` stands for. A plain list of names (test stages), or a
 * declaration not known in detail, is the wide `OutputContracts`: any name, any value.
 */
export type ContractsOf<Outputs> = [Outputs] extends [readonly string[]]
  ? OutputContracts
  : [Outputs] extends [OutputContracts]
    ? Outputs
    : OutputContracts;

type ProducerContracts<S> = S extends readonly (infer D extends ProducerDef)[]
  ? ContractsOf<D['outputs']>
  : S extends ProducerDef
    ? ContractsOf<S['outputs']>
    : OutputContracts;

/** ctx.inputs of a stage: every declared input present and typed by its producer; families optional. */
export type StageInputs<I extends Readonly<Record<string, InputSource>>> = {
  readonly [K in keyof I & string as K extends `${string}*${string}` ? never : K]: LoadedInput<
    ProducerContracts<I[K]>
  >;
} & {
  readonly [K in keyof I & string as K extends `${infer H}*${infer T}` ? `${H}${string}${T}` : never]?:
    | LoadedInput<ProducerContracts<I[K]>>
    | undefined;
};

/**
 * Writes a stage's files, checked against its declaration: JSON files only by `putJson` with a value of the
 * declared schema (parsed before it is written), other files only under declared names.
 */
export interface StageWriter<O extends OutputContracts> {
  putJson<N extends JsonFileName<O>>(name: N, value: JsonFileInput<O, N>): Promise<ManifestFile>;
  putBuffer(name: BytesFileName<O>, data: Uint8Array): Promise<ManifestFile>;
  /** Streams a local file up (crop shards can be large). */
  putFile(name: BytesFileName<O>, localPath: string): Promise<ManifestFile>;
  /** Re-adopts files an earlier attempt already uploaded (resume after a crash), so they are not redone. */
  adopt(files: readonly ManifestFile[]): void;
  recorded(): ManifestFile[];
}

/**
 * The writer of a stage whose outputs are a plain list of names (test stages), or of any stage seen through
 * the wide `StageContext`: any name, any value (the stage runner still checks declared contracts).
 */
export interface AnyStageWriter {
  putJson(name: string, value: unknown): Promise<ManifestFile>;
  putBuffer(name: string, data: Uint8Array): Promise<ManifestFile>;
  putFile(name: string, localPath: string): Promise<ManifestFile>;
  adopt(files: readonly ManifestFile[]): void;
  recorded(): ManifestFile[];
}

type WriterOf<Outputs> = [Outputs] extends [readonly string[]]
  ? AnyStageWriter
  : [Outputs] extends [OutputContracts]
    ? string extends keyof Outputs
      ? AnyStageWriter
      : StageWriter<Outputs>
    : AnyStageWriter;

export interface StageContext<D extends StageDef = StageDef> {
  stage: string;
  nodeId: string;
  cacheKey: string;
  /** The stage's code identity (part of the cache key): keys the per-photo artefacts a stage caches. */
  codeIdentity: string;
  bucket: Bucket;
  inputs: StageInputs<D['inputs']>;
  /** Optional inputs absent because their upstream failed (undefined when every input is there). */
  upstreamFailures: UpstreamFailures | undefined;
  /** The upstream artefacts this run took from the cache; told to volatile nodes only (else undefined). */
  upstreamCacheHits: UpstreamCacheHits | undefined;
  /** Volatile nodes: every upstream node of this run with its artefact (`features@swav` -> features/<key>). */
  upstreamNodes?: UpstreamCacheHits | undefined;
  writer: WriterOf<D['outputs']>;
  /** Heartbeats (and, throttled, tells the workflow) how far the stage is. */
  progress(p: StageProgress): void;
  /** Heartbeat details of the previous attempt, for resuming. */
  previousProgress: StageProgress | undefined;
  saveCheckpoint(step: number, blob: Uint8Array): Promise<CheckpointPointer>;
  loadCheckpoint(): Promise<{ pointer: CheckpointPointer; blob: Buffer } | undefined>;
  /** A local scratch directory, removed after the stage. */
  scratchDir: string;
  /** Folders and s3:// prefixes this worker may read datasets and models from (settings `dataRoots`). */
  dataRoots: readonly string[];
  cancelled: AbortSignal;
  log(message: string): void;
}

export interface StageResult {
  metrics: Record<string, unknown>;
  backend?: string;
  /**
   * Artefacts the output is built from besides the node's inputs (the per-photo partitions it assembled, an
   * imported backbone named by alias), listed in its manifest's inputs so a retention pass walking them keeps
   * them.
   */
  builtFrom?: Record<string, ArtefactRef>;
}

/** A stage's implementation: its declaration plus the function an activity runs. */
export interface StageImpl<D extends StageDef = StageDef> {
  def: D;
  /**
   * The defining module's `import.meta.url`: its import graph is the stage's code identity (part of the cache
   * key). Unset for the paper's stages, which live in `activities/stages/<name>.ts`.
   */
  module?: string;
  run(ctx: StageContext<D>, params: z.output<D['params']>): Promise<StageResult>;
}

/**
 * Keeps each stage's params, inputs and outputs typed inside its own `run` while the registry holds them
 * uniformly. Sound because the stage runner parses params with `def.params`, loads inputs with their
 * producers' contracts and checks every write against `def.outputs` before and while calling `run`.
 */
export function defineStage<const D extends StageDef>(impl: StageImpl<D>): StageImpl {
  return impl as unknown as StageImpl;
}
