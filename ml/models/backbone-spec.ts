// What a pipeline stage says about its backbone. Built-in kinds are fully described by their
// parameters (rebuilding from the spec gives identical weights); 'imported' points at weights
// someone else stored (e.g. SwAV's converted ResNet-50) by artefact key.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const SmallResNetSpec = z.strictObject({
  kind: z.literal('small-resnet'),
  inputSize: positiveInt.default(32),
  widths: z.array(positiveInt).min(1).default([32, 64, 128, 256]),
  blocksPerStage: z.array(positiveInt).min(1).default([2, 2, 2, 2]),
  seed: z.number().int().nonnegative().default(0),
});

export const ResNet50Spec = z.strictObject({
  kind: z.literal('resnet50'),
  inputSize: positiveInt.default(224),
  seed: z.number().int().nonnegative().default(0),
});

export const ImportedBackboneSpec = z.strictObject({
  kind: z.literal('imported'),
  /** Artefact-store key of the TensorFlow.js model.json (weights sit beside it). */
  modelKey: z.string().min(1),
  inputSize: positiveInt,
  featureDim: positiveInt,
  /** Free text: where the weights came from (paper, checkpoint, conversion script). */
  source: z.string().optional(),
});

/** A backbone this project builds and trains itself (random init, SwAV): every kind but 'imported'. */
export const BuiltBackboneSpec = z.discriminatedUnion('kind', [SmallResNetSpec, ResNet50Spec]);

export const BackboneSpec = z.discriminatedUnion('kind', [
  SmallResNetSpec,
  ResNet50Spec,
  ImportedBackboneSpec,
]);
export type BackboneSpec = z.infer<typeof BackboneSpec>;

/** Output feature dimension a spec promises, without building anything. */
export function featureDimOf(spec: BackboneSpec): number {
  switch (spec.kind) {
    case 'small-resnet':
      return spec.widths[spec.widths.length - 1]!;
    case 'resnet50':
      return 2048;
    case 'imported':
      return spec.featureDim;
  }
}
