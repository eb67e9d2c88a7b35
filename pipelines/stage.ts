import type { z } from 'zod';
import type { DagNode } from './dag.js';

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
  /** Input name -> what it is; the pipeline wires each to an upstream node. */
  inputs: Record<string, string>;
  /** Files the artefact holds (documentation and a publish-time check). */
  outputs: readonly string[];
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

/** Instantiates a stage as a DAG node; params are parsed here so a bad value fails before anything runs. */
export function stageNode<P extends z.ZodType>(
  def: StageDef<P>,
  id: string,
  params: z.input<P>,
  inputs: Record<string, string>,
  group?: string,
): DagNode {
  const missing = Object.keys(def.inputs).filter((k) => !(k in inputs));
  if (missing.length > 0) throw new Error(`stage ${def.name} (${id}) needs inputs: ${missing.join(', ')}`);
  const parsed = def.params.parse(params) as Record<string, unknown>;
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
