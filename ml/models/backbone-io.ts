// Backbones travel as standard TensorFlow.js artefacts (model.json + one weights blob), so the
// artefact store can keep them as two objects and tfjs-node / tfjs-converter tools can read them.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface SerializedBackbone {
  /** model.json text; its manifest names the weights file `weights.bin`. */
  modelJson: string;
  /** Concatenated little-endian weight values, in manifest order. */
  weights: Uint8Array;
}

export const WEIGHTS_FILE_NAME = 'weights.bin';

/** Loads from any tfjs IOHandler (e.g. one reading from the artefact store) or URL. */
export function loadBackbone(handlerOrUrl: tf.io.IOHandler | string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(handlerOrUrl);
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return new Uint8Array(buffer);
}

export async function saveBackboneToMemory(model: tfl.LayersModel): Promise<SerializedBackbone> {
  let captured: SerializedBackbone | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [WEIGHTS_FILE_NAME], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
      };
      captured = { modelJson: JSON.stringify(modelJson), weights: joinWeightData(artifacts.weightData) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (captured === undefined) throw new Error('model.save did not call the save handler');
  return captured;
}

/** The IOHandler for bytes produced by saveBackboneToMemory (or any single-file model.json). */
export function backboneHandlerFromMemory(serialized: SerializedBackbone): tf.io.IOHandler {
  const json = JSON.parse(serialized.modelJson) as tf.io.ModelJSON;
  const specs = tf.io.getWeightSpecs(json.weightsManifest);
  // Copy into a fresh ArrayBuffer: the Uint8Array may be a view into a larger (pooled) buffer.
  const weightData = serialized.weights.slice().buffer as ArrayBuffer;
  return tf.io.fromMemory(tf.io.getModelArtifactsForJSONSync(json, specs, weightData));
}

export function loadBackboneFromMemory(serialized: SerializedBackbone): Promise<tfl.LayersModel> {
  return loadBackbone(backboneHandlerFromMemory(serialized));
}
