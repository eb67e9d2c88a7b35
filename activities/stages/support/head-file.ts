import type { LinearHead } from '../../../ml/head/index.js';
import type { HeadFile } from '../../../pipelines/artefacts/head-file.js';

/** A trained head as head.json holds it (plain arrays). */
export function headToJson(head: LinearHead): HeadFile {
  return {
    dim: head.dim,
    classes: head.classes,
    weights: Array.from(head.weights),
    bias: Array.from(head.bias),
    mean: Array.from(head.mean),
    std: Array.from(head.std),
  };
}

/** head.json, parsed by its producer's schema, back as typed arrays. */
export function headFromJson(h: HeadFile): LinearHead {
  return {
    dim: h.dim,
    classes: h.classes,
    weights: Float32Array.from(h.weights),
    bias: Float32Array.from(h.bias),
    mean: Float32Array.from(h.mean),
    std: Float32Array.from(h.std),
  };
}
