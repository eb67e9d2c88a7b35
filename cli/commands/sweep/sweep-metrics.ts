import { openArtefact, readInputJson } from '../../../activities/artefact-input.js';
import type { DagPlan } from '../../../pipelines/dag.js';
import { evaluateStage } from '../../../pipelines/stages.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import type { Bucket } from '../../../store/artefacts.js';
import type { SweepPoint } from './sweep-table.js';

/**
 * Reads `metrics.json` of every evaluate node of a finished run; the node's params say which backbone, head
 * mode, fraction and seed it measured.
 */
export async function collectSweepPoints(
  bucket: Bucket,
  plan: DagPlan,
  refs: Record<string, ArtefactRef>,
): Promise<SweepPoint[]> {
  const evals = plan.nodes.filter((n) => n.stage === evaluateStage.name);
  return await Promise.all(
    evals.map(async (node) => {
      const ref = refs[node.id];
      if (!ref) throw new Error(`run result has no artefact for ${node.id}`);
      const evaluation = await openArtefact(bucket, ref, evaluateStage.outputs, `artefact of ${node.id}`);
      // Parsed by the evaluate stage's own schema for metrics.json, as the report reads it.
      const { accuracy } = await readInputJson(evaluation, 'metrics.json');
      const params = evaluateStage.params.parse(node.params);
      return {
        backbone: params.backbone,
        mode: params.mode,
        fraction: params.fraction,
        seed: params.seed,
        accuracy,
      };
    }),
  );
}
