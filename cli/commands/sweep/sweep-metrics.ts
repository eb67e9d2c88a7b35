import { z } from 'zod';
import type { DagPlan } from '../../../pipelines/dag.js';
import { evaluateStage } from '../../../pipelines/stages.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import { type Bucket, readArtefactFile, readManifest } from '../../../store/artefacts.js';
import type { SweepPoint } from './sweep-table.js';

/** Only the accuracy matters here; the evaluate stage writes more (per class, confusion) for the report. */
const MetricsSchema = z.looseObject({ accuracy: z.number().min(0).max(1) });

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
      const manifest = await readManifest(bucket, ref.stage, ref.key);
      if (!manifest) throw new Error(`artefact ${ref.stage}/${ref.key} of ${node.id} has no manifest`);
      const raw: unknown = JSON.parse(
        (await readArtefactFile(bucket, manifest, 'metrics.json')).toString('utf8'),
      );
      const { accuracy } = MetricsSchema.parse(raw);
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
