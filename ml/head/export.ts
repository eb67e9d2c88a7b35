import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LinearHead } from './types.js';

/** A TensorFlow.js layers model as the two files `tfjs.converters`/`loadLayersModel` understand. */
export interface TfjsModelFiles {
  /** Contents of model.json (weightsManifest points at `weightsFileName`). */
  modelJson: Record<string, unknown>;
  weightsBin: Uint8Array;
}

/**
 * Folds standardisation into the layer, so the exported model takes raw features:
 * ((x − μ)/σ)·W + b = x·(W/σ) + (b − (μ/σ)·W). Done in float64 to lose as little as possible.
 */
export function foldStandardisation(head: LinearHead): { kernel: Float32Array; bias: Float32Array } {
  const { dim, classes } = head;
  const kernel = new Float32Array(dim * classes);
  const bias = new Float64Array(head.bias);
  for (let j = 0; j < dim; j++) {
    const scale = 1 / (head.std[j] ?? 1);
    const shift = (head.mean[j] ?? 0) * scale;
    for (let c = 0; c < classes; c++) {
      const w = head.weights[j * classes + c] ?? 0;
      kernel[j * classes + c] = w * scale;
      bias[c] = (bias[c] ?? 0) - shift * w;
    }
  }
  return { kernel, bias: Float32Array.from(bias) };
}

/** The head as a tfjs-layers Sequential: one Dense layer with softmax over raw features. */
export function headToLayersModel(head: LinearHead): tfl.Sequential {
  const { kernel, bias } = foldStandardisation(head);
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [head.dim], units: head.classes, activation: 'softmax' })],
  });
  const values = [tf.tensor2d(kernel, [head.dim, head.classes]), tf.tensor1d(bias)];
  model.setWeights(values);
  for (const v of values) v.dispose();
  return model;
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer.slice(0));
}

/** Serialises the head in TensorFlow.js layers format (model.json + one weights file), without touching disk. */
export async function headToTfjsModelFiles(
  head: LinearHead,
  weightsFileName = 'weights.bin',
): Promise<TfjsModelFiles> {
  const model = headToLayersModel(head);
  let files: TfjsModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      files = {
        modelJson: {
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy ?? null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: [weightsFileName], weights: artifacts.weightSpecs ?? [] }],
        },
        weightsBin: toBytes(artifacts.weightData),
      };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  model.dispose();
  if (!files) throw new Error('tfjs save handler was not called');
  return files;
}

/** Loads files produced by `headToTfjsModelFiles` back into a layers model (for checks and serving). */
export async function loadTfjsModelFiles(files: TfjsModelFiles): Promise<tfl.LayersModel> {
  const manifest = files.modelJson['weightsManifest'] as tf.io.WeightsManifestConfig;
  const bytes = files.weightsBin;
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: files.modelJson['modelTopology'] as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: manifest.flatMap((group) => group.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    }),
  );
}
