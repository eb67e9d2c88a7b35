import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { downloadRunReport } from './report/download-report.js';

/** Workflow ids may hold `/` and `:`; the default file name keeps only safe characters. */
export function defaultReportFile(workflowId: string): string {
  return `./shelfssl-report-${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.xlsx`;
}

export const reportCommand: Command = {
  name: 'report',
  summary: "download a run's Excel report",
  usage: [
    'Usage: shelfssl report <workflowId> [--out FILE]',
    '',
    "Downloads report.xlsx from the run's report artefact (sha256 checked against its manifest) to --out",
    '(default ./shelfssl-report-<workflowId>.xlsx) and prints the path. Waits if the run is still going.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { out: { type: 'string' } }, true);
    const [workflowId, ...extra] = positionals;
    if (workflowId === undefined) throw new UsageError('report: give the workflow id of a run');
    if (extra.length > 0)
      throw new UsageError(`report: one workflow id expected, got also: ${extra.join(' ')}`);
    const settings = loadSettings();
    const { client, close } = await connectClient(settings);
    try {
      const saved = await downloadRunReport(
        client,
        settings,
        workflowId,
        values.out ?? defaultReportFile(workflowId),
      );
      console.log(`${saved.path} (${saved.bytes} bytes)`);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
