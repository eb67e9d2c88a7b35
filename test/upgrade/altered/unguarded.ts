// The current workflows with one unguarded change: a timer before anything else. A run recorded by the
// old code scheduled an activity first, so replaying it here must fail with a nondeterminism error.
import { sleep } from '@temporalio/workflow';
import { pipelineRun as current } from '../../../workflows/pipeline-run.js';

export { dagGroupRun, predictRun, smokeWorkflow } from '../../../workflows/index.js';

export async function pipelineRun(...args: Parameters<typeof current>): ReturnType<typeof current> {
  await sleep('1 second');
  return await current(...args);
}
