import { z } from 'zod';
import { PretrainingSchema } from './pretraining.js';
import { WeeklySchema } from './weekly.js';

/** What a backbone is in the paper's terms: the control, trained on this run's crops, or brought in. */
export const BackboneRoleSchema = z.enum(['control', 'in-domain', 'out-of-domain']);

export { isoWeekLabel } from '../pipelines/iso-week.js';

/**
 * Everything the weekly report needs. It is assembled elsewhere from artefact
 * manifests read back from MinIO, so it arrives as untrusted JSON and is parsed
 * here: a wrong shape fails with the path of the offending field instead of a
 * half-rendered workbook.
 */

const count = z.number().int().nonnegative();
const unitInterval = z.number().min(0).max(1);

export const PerClassMetricsSchema = z.object({
  cls: z.string().min(1),
  precision: unitInterval,
  recall: unitInterval,
  f1: unitInterval,
  support: count,
});

export const SeedResultSchema = z.object({
  seed: z.number().int(),
  /** Test accuracy as a fraction in [0, 1]. */
  accuracy: unitInterval,
  /** L-BFGS iterations of the head's final fit. */
  iterations: z.number().nonnegative(),
  trainMs: z.number().nonnegative(),
  perClass: z.array(PerClassMetricsSchema),
  /** rows = true class, columns = predicted class, in `classNames` order. */
  confusion: z.array(z.array(count)),
});

export const HeadModeSchema = z.enum(['supervised', 'semi-supervised']);

export const ResultRowSchema = z.object({
  /** e.g. 'random-init' | 'swav' | 'imagenet'; open-ended so new backbones need no schema change. */
  backbone: z.string().min(1),
  headMode: HeadModeSchema,
  /** Share of the training labels used, in percent (10 = 10 %). */
  fractionPct: z.number().gt(0).max(100),
  seeds: z.array(SeedResultSchema).min(1),
});

export const ShelfShareRowSchema = z.object({
  image: z.string().min(1),
  store: z.string().optional(),
  /** Predicted facings per class name. */
  counts: z.record(z.string(), count),
});

export const BadRowsSchema = z.object({
  count,
  examples: z.array(z.string()),
});

export const DataQualitySchema = z.object({
  ingest: z.object({
    rows: count,
    goodBoxes: count,
    images: count,
    /** Image counts by split name (train / val / test). */
    bySplit: z.record(z.string(), count),
  }),
  crops: z.object({
    labelled: count,
    unlabelled: count,
    test: count,
  }),
  /** Rejected rows keyed by reason. */
  bad: z.record(z.string(), BadRowsSchema),
});

export const LineageRowSchema = z.object({
  stage: z.string().min(1),
  key: z.string().min(1),
  digest: z.string().min(1),
  codeVersion: z.string(),
  paramsHash: z.string(),
  durationMs: z.number().nonnegative(),
  cacheHit: z.boolean(),
  /** The run's nodes that produced or reused this artefact (`features@swav`); absent in older reports. */
  nodes: z.array(z.string()).optional(),
});

/** A node that failed in this run, with how to retry it once fixed. */
export const FailedNodeRowSchema = z.object({
  node: z.string().min(1),
  stage: z.string().min(1),
  error: z.string(),
  /** The command that re-runs the stage and what depends on it, e.g. `shelfssl rerun <id> --stage pretrain`. */
  rerun: z.string().min(1),
});

/** A result the report went without, and the failed node(s) it waited on. */
export const MissingResultRowSchema = z.object({
  /** The report's input name, e.g. `eval/swav/supervised/10pct/seed1`. */
  input: z.string().min(1),
  node: z.string().min(1),
  upstream: z.array(z.string().min(1)).min(1),
});

export const FailuresSchema = z.object({
  failed: z.array(FailedNodeRowSchema),
  missing: z.array(MissingResultRowSchema),
});

/** The crops `shelfssl suggest` proposes to label next, most worth it first (a suggest artefact's rows). */
export const SuggestionsSchema = z.object({
  strategy: z.string().min(1),
  head: z.string().min(1),
  candidates: count,
  labelled: count,
  rows: z.array(
    z.object({
      boxId: z.string().min(1),
      image: z.string().min(1),
      box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      suggested: z.string(),
      confidence: unitInterval,
      uncertainty: z.number().nullable(),
    }),
  ),
});

const ReportInputFields = z.object({
  runId: z.string().min(1),
  title: z.string().min(1),
  /** ISO-8601 timestamp with offset, as written in manifests. */
  generatedAt: z.iso.datetime({ offset: true }),
  /** Absent for ad-hoc runs; scheduled runs carry e.g. `2026-W48`. */
  weekLabel: z
    .string()
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'expected an ISO week label like 2026-W48')
    .optional(),
  classNames: z.array(z.string().min(1)).min(1),
  results: z.array(ResultRowSchema),
  shelfShare: z.array(ShelfShareRowSchema),
  dataQuality: DataQualitySchema,
  lineage: z.array(LineageRowSchema),
  /** Present when some configurations failed: the report still shows what succeeded. */
  failures: FailuresSchema.optional(),
  /** SwAV backbones' per-epoch training history (report/pretraining.ts); absent when none was pretrained. */
  pretraining: z.array(PretrainingSchema).optional(),
  /** Each backbone's role in the paper's reading (control / in-domain / out-of-domain): the Table 2 sheet. */
  backboneRoles: z.record(z.string(), BackboneRoleSchema).optional(),
  /** Present when the run has a suggest node (`shelfssl suggest`): the To label sheet. */
  suggestions: SuggestionsSchema.optional(),
  /** Scheduled runs: the champion/challenger decision and the comparison with last week's run. */
  weekly: WeeklySchema.optional(),
});

export const ReportInputSchema = ReportInputFields.superRefine(checkAgainstClassNames);

export type PerClassMetrics = z.infer<typeof PerClassMetricsSchema>;
export type SeedResult = z.infer<typeof SeedResultSchema>;
export type HeadMode = z.infer<typeof HeadModeSchema>;
export type ResultRow = z.infer<typeof ResultRowSchema>;
export type ShelfShareRow = z.infer<typeof ShelfShareRowSchema>;
export type DataQuality = z.infer<typeof DataQualitySchema>;
export type LineageRow = z.infer<typeof LineageRowSchema>;
export type Failures = z.infer<typeof FailuresSchema>;
export type ReportInput = z.infer<typeof ReportInputSchema>;

/**
 * Parses untrusted input; throws an Error with one `path: problem` line per
 * issue (e.g. `results[1].seeds[2].accuracy: Invalid input: expected number…`),
 * so a log line alone says which manifest field is wrong.
 */
export function parseReportInput(raw: unknown): ReportInput {
  const parsed = ReportInputSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new Error(`invalid report input:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/**
 * Cross-field checks zod cannot express per field: confusion matrices and
 * class names must line up, or the heat map would silently mislabel its axes.
 */
function checkAgainstClassNames(input: z.infer<typeof ReportInputFields>, ctx: z.RefinementCtx): void {
  const known = new Set(input.classNames);
  const k = input.classNames.length;
  input.results.forEach((row, r) => {
    row.seeds.forEach((seed, s) => {
      const at = ['results', r, 'seeds', s];
      const square = seed.confusion.length === k && seed.confusion.every((line) => line.length === k);
      if (!square) {
        ctx.addIssue({ code: 'custom', path: [...at, 'confusion'], message: `expected a ${k}×${k} matrix` });
      }
      seed.perClass.forEach((m, c) => {
        if (!known.has(m.cls)) {
          ctx.addIssue({
            code: 'custom',
            path: [...at, 'perClass', c, 'cls'],
            message: `unknown class ${m.cls}`,
          });
        }
      });
    });
  });
  input.shelfShare.forEach((row, r) => {
    for (const cls of Object.keys(row.counts)) {
      if (!known.has(cls)) {
        ctx.addIssue({
          code: 'custom',
          path: ['shelfShare', r, 'counts', cls],
          message: `unknown class ${cls}`,
        });
      }
    }
  });
}
