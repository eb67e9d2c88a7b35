import { z } from 'zod';

/** What a scheduled run decided about the alias in use (champion/challenger), and why. */
export const ChampionDecisionSchema = z.object({
  alias: z.string(),
  margin: z.number(),
  promoted: z.boolean(),
  reason: z.string(),
  challenger: z.object({
    model: z.string(),
    /** Its accuracy on the champion's own test split (its own split when there is no champion yet). */
    accuracy: z.number(),
  }),
  champion: z.object({ model: z.string(), accuracy: z.number() }).nullable(),
});
export type ChampionDecision = z.infer<typeof ChampionDecisionSchema>;

const Delta = z.object({ key: z.string(), before: z.number().nullable(), now: z.number().nullable() });

/** This scheduled run against the previous one of the same schedule. */
export const VsLastWeekSchema = z.object({
  previousRunId: z.string(),
  previousWeek: z.string().nullable(),
  /** Mean accuracy per backbone/head/fraction. */
  accuracy: z.array(Delta),
  /** Share of predicted facings per class (best configuration's shelf counts). */
  shelfShare: z.array(Delta),
  champion: z.object({ before: z.string().nullable(), now: z.string().nullable() }),
});
export type VsLastWeek = z.infer<typeof VsLastWeekSchema>;

export const WeeklySchema = z.object({
  champion: ChampionDecisionSchema.nullable(),
  vsLastWeek: VsLastWeekSchema.nullable(),
});
export type Weekly = z.infer<typeof WeeklySchema>;
