import { z } from 'zod';

/** A TensorFlow.js model.json (topology + weights manifest); its content is checked by the tfjs loader. */
export const TfjsModelJsonSchema = z.record(z.string(), z.unknown());
