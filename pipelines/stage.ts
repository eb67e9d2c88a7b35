import type { z } from 'zod';
import { parseOrThrow } from '../config/errors.js';
import { inFamily, type OutputContracts } from './artefact-contract.js';
import type { DagNode } from './dag.js';

/** The declaration of a stage another stage reads from: its name and output files are what matter. */
export interface ProducerDef {
  name: string;
  outputs: OutputContracts | readonly string[];
}

/**
 * Where an input comes from: the producing stage's declaration (or, for an input several stages can feed,
 * e.g. a backbone from `backbone` or `pretrain`, a list of them), so the reader parses the producer's files
 * with the producer's schemas. A plain string describes an input whose files are read untyped (test stages).
 * An input name with one `*` (`eval/*`) declares a family of optional inputs the pipeline names.
 */
export type InputSource = string | ProducerDef | readonly ProducerDef[];

/** Declared once per stage and used by the pipeline expansion, the activity and the CLI. */
export interface StageDef<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /**
   * The stage's code is keyed automatically (its module graph's identity, activities/stage-code.ts); bump this
   * for a change of meaning the code does not show (data read at run time, the native binding).
   */
  codeVersion: number;
  params: P;
  /** Input name -> the stage(s) producing it; the pipeline wires each to an upstream node. */
  inputs: Readonly<Record<string, InputSource>>;
  /**
   * Output file name -> its contract (a zod schema for JSON, 'binary' / 'npy'); writers are checked against
   * it and readers parse with it. A plain list of names declares untyped JSON files (test stages).
   */
  outputs: OutputContracts | readonly string[];
  queue: 'cpu' | 'gpu';
  startToCloseTimeout: string;
  heartbeatTimeout?: string;
  retry?: Partial<DagNode['retry']>;
}

/** Every stage heartbeats at least every 10 s (the stage runner sees to it). */
const DEFAULT_HEARTBEAT_TIMEOUT = '2 minutes';

const DEFAULT_RETRY: DagNode['retry'] = {
  maximumAttempts: 5,
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
};

/** Declared input names a node must wire (families, `eval/*`, are wired by name and may be empty). */
export function requiredInputs(def: Pick<StageDef, 'inputs'>): string[] {
  return Object.keys(def.inputs).filter((k) => !k.includes('*'));
}

/** Instantiates a stage as a DAG node; params are parsed here so a bad value fails before anything runs. */
export function stageNode<P extends z.ZodType>(
  def: StageDef<P>,
  id: string,
  params: z.input<P>,
  inputs: Record<string, string>,
  group?: string,
): DagNode {
  const missing = requiredInputs(def).filter((k) => !(k in inputs));
  if (missing.length > 0) throw new Error(`stage ${def.name} (${id}) needs inputs: ${missing.join(', ')}`);
  const parsed = parseOrThrow(def.params, params, `the params of node ${id} (stage ${def.name})`) as Record<
    string,
    unknown
  >;
  return {
    id,
    stage: def.name,
    codeVersion: def.codeVersion,
    params: parsed,
    inputs,
    queue: def.queue,
    startToCloseTimeout: def.startToCloseTimeout,
    heartbeatTimeout: def.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
    retry: { ...DEFAULT_RETRY, ...def.retry },
    ...(group ? { group } : {}),
  };
}

/**
 * The output declaration of the stage that produced input `name` of `def` (`producer` is the stage the
 * artefact says made it), or undefined for an input declared by description only. A producer the
 * declaration does not list is a wiring error, so it throws, naming both.
 */
export function producerOutputs(
  def: Pick<StageDef, 'name' | 'inputs'>,
  name: string,
  producer: string,
): ProducerDef['outputs'] | undefined {
  const declared = Object.hasOwn(def.inputs, name)
    ? def.inputs[name]
    : Object.entries(def.inputs).find(([k]) => k.includes('*') && inFamily(k, name))?.[1];
  if (declared === undefined || typeof declared === 'string') return undefined;
  const candidates: readonly ProducerDef[] = Array.isArray(declared) ? declared : [declared as ProducerDef];
  const found = candidates.find((c) => c.name === producer);
  if (!found) {
    throw new Error(
      `input "${name}" of stage ${def.name} was made by stage ${producer}, but its declaration reads it ` +
        `from ${candidates.map((c) => c.name).join(' or ')}: wire it to such a node (pipelines/paper.ts) ` +
        'or add the producer to its inputs (pipelines/stages.ts)',
    );
  }
  return found.outputs;
}
