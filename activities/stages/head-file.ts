import { z } from 'zod';
import type { LinearHead } from '../../ml/head/index.js';

/** A trained head as JSON (head.json): small, diffable, and exactly what evaluate needs. */
export const HeadFileSchema = z.object({
  dim: z.number().int().positive(),
  classes: z.number().int().min(2),
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});

export function headToJson(head: LinearHead): z.infer<typeof HeadFileSchema> {
  return {
    dim: head.dim,
    classes: head.classes,
    weights: Array.from(head.weights),
    bias: Array.from(head.bias),
    mean: Array.from(head.mean),
    std: Array.from(head.std),
  };
}

export function headFromJson(raw: unknown): LinearHead {
  const h = HeadFileSchema.parse(raw);
  return {
    dim: h.dim,
    classes: h.classes,
    weights: Float32Array.from(h.weights),
    bias: Float32Array.from(h.bias),
    mean: Float32Array.from(h.mean),
    std: Float32Array.from(h.std),
  };
}
