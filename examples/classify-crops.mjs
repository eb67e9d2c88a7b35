// Classifies product crops with a shelfssl bundle, using plain TensorFlow.js only (no shelfssl code).
//
//   npm install @tensorflow/tfjs-core @tensorflow/tfjs-layers @tensorflow/tfjs-backend-cpu sharp
//   node examples/classify-crops.mjs <bundle-dir> crop1.png crop2.jpg ...
//
// Prints CSV: file,class,confidence. A crop is one product box cut from a shelf photo (any size; it is
// stretched to the bundle's crop size, as training crops were).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

/** A TF.js layers model from model.json + its weight files on disk. */
async function loadModel(dir) {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const buffers = [];
  for (const group of json.weightsManifest)
    for (const p of group.paths) buffers.push(await readFile(path.join(dir, p)));
  const weightData = new Uint8Array(Buffer.concat(buffers)).buffer;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  return await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
  );
}

/** RGB uint8 pixels of a crop at size x size. */
async function cropPixels(file, size) {
  const image = sharp(file).removeAlpha().toColourspace('srgb');
  const meta = await image.metadata();
  const sized =
    meta.width === size && meta.height === size ? image : image.resize(size, size, { fit: 'fill' });
  return new Uint8Array(await sized.raw().toBuffer());
}

/** [n, size, size, 3] pixels -> backbone input: resized to its input size, (x/255 - mean) / std per channel. */
function preprocess(pixels, n, size, inputSize, { mean, std }) {
  return tf.tidy(() => {
    let x = tf.tensor4d(pixels, [n, size, size, 3], 'float32');
    if (inputSize[0] !== size || inputSize[1] !== size)
      x = tf.image.resizeBilinear(x, inputSize, false, true);
    return tf.div(tf.sub(x, tf.tensor1d(mean.map((m) => m * 255))), tf.tensor1d(std.map((s) => s * 255)));
  });
}

async function main() {
  const [bundle, ...files] = process.argv.slice(2);
  if (!bundle || files.length === 0) {
    console.error('usage: node classify-crops.mjs <bundle-dir> <crop image> ...');
    process.exit(2);
  }
  await tf.setBackend('cpu');
  const classes = JSON.parse(await readFile(path.join(bundle, 'classes.json'), 'utf8'));
  const prep = JSON.parse(await readFile(path.join(bundle, 'preprocessing.json'), 'utf8'));
  const backbone = await loadModel(path.join(bundle, 'backbone'));
  const head = await loadModel(path.join(bundle, 'head'));
  const size = prep.cropSize;
  const pixels = new Uint8Array(files.length * size * size * 3);
  for (const [i, file] of files.entries()) pixels.set(await cropPixels(file, size), i * size * size * 3);
  const inputSize = backbone.inputs[0].shape.slice(1, 3);
  const x = preprocess(pixels, files.length, size, inputSize, prep.normalization);
  const probs = tf.tidy(() => head.predict(backbone.predict(x)));
  const rows = await probs.array();
  console.log('file,class,confidence');
  rows.forEach((p, i) => {
    const best = p.indexOf(Math.max(...p));
    console.log(`${path.basename(files[i])},${classes[best]},${p[best].toFixed(6)}`);
  });
}

await main();
