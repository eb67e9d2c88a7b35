import { connectClient } from '../cli/client.js';
import { parsePipelineRunResult } from '../cli/runs.js';
import { loadSettings } from '../config/settings.js';
import { type Bucket, bucketOf } from '../store/artefacts.js';

/** A finished pipeline run's result (its artefact refs) and the bucket they live in, for the reference benches. */
export async function finishedRun(workflowId: string) {
  const settings = loadSettings();
  const { client, close } = await connectClient(settings);
  try {
    const result = parsePipelineRunResult(await client.workflow.getHandle(workflowId).result(), workflowId);
    const bucket: Bucket = bucketOf(settings);
    return { result, bucket };
  } finally {
    await close();
  }
}
