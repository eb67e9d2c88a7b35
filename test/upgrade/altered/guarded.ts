// The same change as unguarded.ts behind patched(): old histories take the old path, so they replay.
import { patched, sleep } from '@temporalio/workflow';
import { pipelineRun as current } from '../../../workflows/pipeline-run.js';

export { dagGroupRun, predictRun, smokeWorkflow } from '../../../workflows/index.js';

export async function pipelineRun(...args: Parameters<typeof current>): ReturnType<typeof current> {
  if (patched('test-timer-first')) await sleep('1 second');
  return await current(...args);
}
