import { randomUUID } from 'node:crypto';
import { loadSettings, type Settings } from '../../config/settings.js';

/** Harness settings with task queues of this test's own, so concurrent workers never steal each other's tasks. */
export function testSettings(label: string): Settings {
  const s = loadSettings();
  const suffix = `${label}-${randomUUID().slice(0, 8)}`;
  return { ...s, temporal: { ...s.temporal, taskQueues: { cpu: `cpu-${suffix}`, gpu: `gpu-${suffix}` } } };
}

export function harnessRoot(): string {
  const root = process.env.SHELFSSL_TEST_ROOT;
  if (!root) throw new Error('run tests through `npm test` (test/run.mjs starts Temporal and MinIO)');
  return root;
}
