import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { StageProgress } from '../pipelines/progress.js';
import type { ArtefactRef } from '../store/artefact-schema.js';

export type NodeStatus = 'pending' | 'checking' | 'cached' | 'running' | 'done' | 'failed' | 'skipped';

export interface NodeState {
  id: string;
  stage: string;
  group?: string;
  status: NodeStatus;
  cacheHit?: boolean;
  missReason?: string;
  attempts?: number;
  startedAt?: number;
  durationMs?: number;
  progress?: StageProgress;
  error?: string;
  ref?: ArtefactRef;
  /** Workflow id of the child that runs this node (sweep points). */
  child?: string;
}

export interface RunState {
  pipeline: string;
  startedAt: number;
  finishedAt?: number;
  status: 'running' | 'completed' | 'failed';
  nodes: NodeState[];
}

export const runStateQuery = defineQuery<RunState>('runState');
export const stageProgressSignal =
  defineSignal<[{ nodeId: string; progress: StageProgress }]>('stageProgress');
