import type { Buffer as ExcelBuffer, Workbook } from 'exceljs';
import { CHART_HEIGHT, CHART_WIDTH } from '../chart.js';
import { styleTitleRow } from './style.js';

export const CHART_SHEET = 'Chart';
/** Room for the title and legend vega adds around the plot area. */
const IMAGE_WIDTH = CHART_WIDTH + 200;
const IMAGE_HEIGHT = CHART_HEIGHT + 100;

/** exceljs writes no native charts, so the chart goes in as a rendered PNG. */
export function addChartSheet(
  workbook: Workbook,
  png: Buffer,
  title = 'Accuracy vs % labelled (mean ± std over seeds)',
): void {
  const sheet = workbook.addWorksheet(CHART_SHEET);
  styleTitleRow(sheet.addRow([title]));
  // exceljs declares its Buffer as an ArrayBuffer look-alike; a Node Buffer is what it reads at run time.
  const imageId = workbook.addImage({ buffer: png as unknown as ExcelBuffer, extension: 'png' });
  sheet.addImage(imageId, { tl: { col: 0, row: 1 }, ext: { width: IMAGE_WIDTH, height: IMAGE_HEIGHT } });
}
