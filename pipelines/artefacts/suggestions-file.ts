import { z } from 'zod';
import { STRATEGIES } from '../../ml/active/select.js';

/** suggestions.json of a suggest artefact: the crops to label next, best first, with the head's guess. */
export const SuggestionsFileSchema = z.object({
  strategy: z.enum(STRATEGIES),
  /** The head node whose uncertainty ranked the crops. */
  head: z.string(),
  classes: z.array(z.string()),
  /** Unlabelled crops outside the held-out region that could have been suggested. */
  candidates: z.number().int().min(0),
  labelled: z.number().int().min(0),
  rows: z.array(
    z.object({
      boxId: z.string(),
      image: z.string(),
      box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      suggested: z.string(),
      confidence: z.number().min(0).max(1),
      /** margin: 1 − (p₁ − p₂); entropy: nats; null for diverse/random. */
      uncertainty: z.number().nullable(),
    }),
  ),
});
export type SuggestionsFile = z.infer<typeof SuggestionsFileSchema>;
