import type { Manifest } from '../../../store/artefact-schema.js';
import type { LoadedInput } from '../../stage-types.js';

/**
 * The training history of every SwAV backbone the evaluations used, as the pretrain manifests record it
 * (eval → features → pretrain), one per backbone name. Left unparsed: the report's input schema checks it.
 */
export function pretrainingHistories(
  evals: ReadonlyArray<{ metrics: { backbone: string }; input: LoadedInput }>,
  manifests: readonly Manifest[],
): unknown[] {
  const byRef = new Map(manifests.map((m) => [`${m.stage}/${m.cacheKey}`, m]));
  const found = new Map<string, unknown>();
  for (const e of evals) {
    const features = e.input.manifest.inputs['features'];
    const trunk = features ? byRef.get(`features/${features.key}`)?.inputs['backbone'] : undefined;
    const pretrain = trunk?.stage === 'pretrain' ? byRef.get(`pretrain/${trunk.key}`) : undefined;
    if (!pretrain || found.has(e.metrics.backbone)) continue;
    const m = pretrain.metrics;
    found.set(e.metrics.backbone, {
      backbone: e.metrics.backbone,
      lnK: m['lnK'],
      knnAtInit: m['knnAtInit'] ?? null,
      epochs: m['epochs'],
      collapseRetries: m['collapseRetries'],
    });
  }
  return [...found.values()];
}
