import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { downloadRunReport } from './report/download-report.js';

/**
 * Under the data dir (ignored by git), not the working tree. Workflow ids may hold `/` and `:`; the file name
 * keeps only safe characters.
 */
export function defaultReportFile(workflowId: string, dataDir: string): string {
  return path.join(dataDir, 'reports', `shelfssl-report-${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.xlsx`);
}

export const reportCommand: Command = {
  name: 'report',
  summary: "download a run's Excel report",
  usage: [
    'Usage: shelfssl report <workflowId> [--out FILE]',
    '',
    "Downloads report.xlsx from the run's report artefact (sha256 checked against its manifest) to --out",
    '(default <data dir>/reports/shelfssl-report-<workflowId>.xlsx) and prints the path. Waits if the run is',
    'still going. A run that wrote no report says which nodes failed.',
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
      const out = values.out ?? defaultReportFile(workflowId, settings.dataDir);
      mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      const saved = await downloadRunReport(client, settings, workflowId, out);
      console.log(`${saved.path} (${saved.bytes} bytes)`);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
