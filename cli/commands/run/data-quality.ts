import type { z } from 'zod';
import type { Settings } from '../../../config/settings.js';
import { IngestReportFileSchema } from '../../../pipelines/artefacts/ingest-report-file.js';
import { ingestStage } from '../../../pipelines/stages.js';
import { bucketOf, readArtefactFile, readManifest } from '../../../store/artefacts.js';
import type { NodeState } from '../../../workflows/run-state.js';

type IngestReport = z.infer<typeof IngestReportFileSchema>;
type Reasons = IngestReport['bad'];

function reasonLines(reasons: Reasons, what: string): string[] {
  return Object.entries(reasons)
    .filter(([, r]) => r.count > 0)
    .map(([reason, r]) => {
      const e = r.examples[0];
      const where = e ? `, e.g. ${e.file}${e.line > 0 ? `:${e.line}` : ''} (${e.detail})` : '';
      return `  ${reason}: ${r.count} ${what}${where}`;
    });
}

const total = (reasons: Reasons) => Object.values(reasons).reduce((sum, r) => sum + r.count, 0);

/**
 * The terminal's word on dropped data: counts by reason with one example each, or nothing when ingest kept
 * every row. A run that "succeeds" on half its data must not look like one that used all of it.
 */
export function dataQualityParagraph(report: IngestReport): string[] {
  const rows = total(report.bad);
  const labels = total(report.labels.bad);
  if (rows === 0 && labels === 0) return [];
  const parts = [
    ...(rows > 0 ? [`${rows} of ${report.counts.rows} annotation rows`] : []),
    ...(labels > 0 ? [`${labels} label row(s)`] : []),
  ];
  return [
    `data quality: ingest dropped ${parts.join(' and ')}:`,
    ...reasonLines(report.bad, 'row(s)'),
    ...reasonLines(report.labels.bad, 'label row(s)'),
    "  (every reason with examples: the report's Data quality sheet)",
  ];
}

/** Reads the run's ingest report from the store; nothing when the run has no finished ingest node. */
export async function ingestDataQuality(settings: Settings, nodes: readonly NodeState[]): Promise<string[]> {
  const ref = nodes.find((n) => n.stage === ingestStage.name && n.ref)?.ref;
  if (!ref) return [];
  const bucket = bucketOf(settings);
  const manifest = await readManifest(bucket, ref.stage, ref.key);
  if (!manifest) return [];
  const raw: unknown = JSON.parse(
    (await readArtefactFile(bucket, manifest, 'ingest-report.json')).toString(),
  );
  const parsed = IngestReportFileSchema.safeParse(raw);
  return parsed.success ? dataQualityParagraph(parsed.data) : [];
}
