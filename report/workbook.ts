import ExcelJS from 'exceljs';
import { renderAccuracyChart } from './chart.js';
import type { ReportInput } from './model.js';
import { addChartSheet } from './sheets/chart-sheet.js';
import { addConfusionSheet } from './sheets/confusion-sheet.js';
import { addDataQualitySheet } from './sheets/data-quality-sheet.js';
import { addFailedSheet } from './sheets/failed-sheet.js';
import { addLineageSheet } from './sheets/lineage-sheet.js';
import { addPerClassSheet } from './sheets/per-class-sheet.js';
import { addPretrainingSheet } from './sheets/pretraining-sheet.js';
import { addShelfShareSheet } from './sheets/shelf-share-sheet.js';
import { addSuggestionsSheet } from './sheets/suggestions-sheet.js';
import { addSummarySheet } from './sheets/summary-sheet.js';
import { addTable2Sheet } from './sheets/table2-sheet.js';
import { addWeeklySheet } from './sheets/weekly-sheet.js';
import { bestRowPerBackbone, summariseResults } from './summary.js';

/**
 * The weekly Excel report as an .xlsx buffer. Expects input already parsed with
 * `parseReportInput`; sheets are added in reading order, summary first, then (when some configurations
 * failed) what failed and how to re-run it.
 */
export async function buildWeeklyReport(input: ReportInput): Promise<Buffer> {
  const rows = summariseResults(input.results);
  const best = bestRowPerBackbone(rows);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'shelfssl';
  workbook.created = new Date(input.generatedAt);
  workbook.title = input.title;

  addSummarySheet(workbook, input, rows);
  if (input.weekly) addWeeklySheet(workbook, input.weekly);
  if (input.failures) addFailedSheet(workbook, input.failures);
  addPerClassSheet(workbook, input, best);
  addConfusionSheet(workbook, input, best);
  addShelfShareSheet(workbook, input);
  addDataQualitySheet(workbook, input);
  addLineageSheet(workbook, input);
  addChartSheet(workbook, await renderAccuracyChart(input));
  await addPretrainingSheet(workbook, input.pretraining ?? []);
  if (input.suggestions) addSuggestionsSheet(workbook, input.suggestions);
  addTable2Sheet(workbook, input, rows);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
