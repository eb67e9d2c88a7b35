import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { connectClient } from '../cli/client.js';
import { readAlias } from '../store/aliases.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import { bucketOf, readManifest } from '../store/artefacts.js';
import { pipelineRun } from '../workflows/pipeline-run.js';
import { PipelineRunResultSchema } from '../workflows/run-result.js';
import type { ActivityDeps } from './deps.js';

export interface SwavInitRequest {
  initFrom: string;
  pipeline: string;
  nodeId: string;
  runId: string;
}

export interface SwavInitResolved {
  ref: ArtefactRef | null;
  /** Why there is no ref (a first run has no previous one). */
  note: string;
}

const STORE_REF = /^([a-z][a-z0-9-]*)\/([0-9a-f]{64})$/;
/** How many earlier runs `previous` looks through for one that produced the node. */
const PREVIOUS_RUNS_SEARCHED = 20;

/** The node's artefact in the newest completed earlier run of the pipeline, or null. */
async function previousRef(client: Client, req: SwavInitRequest): Promise<ArtefactRef | null> {
  let searched = 0;
  for await (const info of client.workflow.list({
    query: `WorkflowType = '${pipelineRun.name}' AND ExecutionStatus = 'Completed'`,
  })) {
    if (info.memo?.pipeline !== req.pipeline || info.workflowId === req.runId) continue;
    if (++searched > PREVIOUS_RUNS_SEARCHED) break;
    const result = PipelineRunResultSchema.safeParse(
      await client.workflow.getHandle(info.workflowId).result(),
    );
    const ref = result.success ? result.data.refs[req.nodeId] : undefined;
    if (ref) return ref;
  }
  return null;
}

const refused = (msg: string) => ApplicationFailure.nonRetryable(`swav.initFrom: ${msg}`, 'SwavInitFrom');

export function swavInitActivities(deps: ActivityDeps) {
  const b = () => bucketOf(deps.settings, deps.s3);
  return {
    /** The backbone artefact `swav.initFrom` names, resolved when the run starts. */
    async resolveSwavInit(req: SwavInitRequest): Promise<SwavInitResolved> {
      if (req.initFrom === 'previous') {
        const { client, close } = await connectClient(deps.settings);
        try {
          const ref = await previousRef(client, req);
          return ref
            ? { ref, note: `previous: ${ref.stage}/${ref.key}` }
            : {
                ref: null,
                note: `no completed earlier run of ${req.pipeline} made ${req.nodeId}: cold start`,
              };
        } finally {
          await close();
        }
      }
      const stored = STORE_REF.exec(req.initFrom);
      if (stored) {
        const [, stage = '', key = ''] = stored;
        const m = await readManifest(b(), stage, key);
        if (!m)
          throw refused(`no published artefact ${req.initFrom} (removed by gc? pin the run that made it)`);
        return { ref: { stage, key, digest: m.digest }, note: req.initFrom };
      }
      const alias = await readAlias(b(), req.initFrom);
      if (!alias)
        throw refused(
          `"${req.initFrom}" is no alias (see \`shelfssl promote\`), not previous, not <stage>/<key>`,
        );
      return { ref: alias.current.model.backbone, note: `alias ${req.initFrom}` };
    },
  };
}
