export interface LrSchedule {
  /** Learning rate reached at the end of warm-up (SwAV batch 256: 0.6). */
  baseLr: number;
  /** Learning rate at the last step (SwAV: 0.0006). */
  finalLr: number;
  /** Linear warm-up length in optimiser steps. */
  warmupSteps: number;
  /** Total optimiser steps planned; the cosine reaches `finalLr` here and stays there. */
  totalSteps: number;
}

/** SwAV's schedule: linear warm-up from 0 to `baseLr`, then cosine decay to `finalLr`. */
export function lrAt(step: number, schedule: LrSchedule): number {
  if (step < schedule.warmupSteps) return (schedule.baseLr * step) / schedule.warmupSteps;
  const decaySteps = Math.max(1, schedule.totalSteps - schedule.warmupSteps);
  const t = Math.min(1, (step - schedule.warmupSteps) / decaySteps);
  return schedule.finalLr + 0.5 * (schedule.baseLr - schedule.finalLr) * (1 + Math.cos(Math.PI * t));
}
