// The backend benchmark's result types, shared by the runner (backend.ts) and the table (backend-table.ts).
import type { BackendInfo, BackendName } from '../runtime/index.js';
import type { TorchFigures } from './backend-torch.js';

export interface BenchSettings {
  reps: number;
  r50Reps: number;
  smallBatch: number;
  r50Batch: number;
  skipR50: boolean;
  skipSwav: boolean;
}

/** A backend to measure: its name and, optionally, a thread count ('tensorflow:1'). */
export interface BackendRequest {
  name: BackendName;
  threads?: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  simd: string;
  loadAverage: number[];
}

export interface TfjsFigures {
  smallTrainImgPerSec: number;
  smallInferImgPerSec: number;
  swavTrainImgPerSec: number | null;
  resnet50InferImgPerSec: number | null;
}

export interface BackendFigures extends TfjsFigures {
  backend: BackendInfo;
  /** What was asked for ('tensorflow:1'); the backend may report more threads than that. */
  request?: string;
}

/**
 * A backend's speed over PyTorch's, each figure the median over rounds of that round's ratio:
 * runs of one round are minutes apart at most, so pairing them cancels much of the drift in the
 * machine's load that skews ratios of medians.
 */
export interface PairedRatio {
  backend: string;
  torchThreads: number;
  ratios: Record<keyof TfjsFigures, number | null>;
}

export interface BenchResult {
  machine: MachineInfo;
  settings: BenchSettings;
  rounds: number;
  backends: BackendFigures[];
  /** Every round's figures, for the spread behind the medians. */
  perRound: { backends: Record<string, BackendFigures[]>; torch: Record<string, TorchFigures[]> };
  pairedRatios: PairedRatio[];
  unavailable: { request: string; reason: string }[];
  torch: TorchFigures[];
  torchError?: string;
}
