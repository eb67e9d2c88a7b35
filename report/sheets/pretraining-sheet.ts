import type { Buffer as ExcelBuffer, Workbook } from 'exceljs';
import { renderChartPng } from '../chart.js';
import { PRETRAINING_PANEL, type Pretraining, pretrainingChartSpec } from '../pretraining.js';
import { styleHeaderRow, styleTitleRow } from './style.js';

export const PRETRAINING_SHEET = 'SwAV training';

/** Per-epoch loss and k-NN monitor accuracy of every SwAV backbone, collapse retries, and their chart. */
export async function addPretrainingSheet(workbook: Workbook, rows: readonly Pretraining[]): Promise<void> {
  if (rows.length === 0) return;
  const sheet = workbook.addWorksheet(PRETRAINING_SHEET);
  styleTitleRow(sheet.addRow(['SwAV pretraining: loss and k-NN monitor per epoch']));
  styleHeaderRow(sheet.addRow(['backbone', 'epoch', 'loss', 'ln K', 'k-NN accuracy']));
  for (const r of rows) {
    if (r.knnAtInit !== null) sheet.addRow([r.backbone, 0, null, r.lnK, r.knnAtInit]);
    for (const e of r.epochs) sheet.addRow([r.backbone, e.epoch, e.loss, r.lnK, e.knn]);
    for (const c of r.collapseRetries) {
      sheet.addRow([
        r.backbone,
        `collapse at epoch ${c.detectedAtEpoch}: retried from epoch ${c.restartedFromEpoch} with ${c.changes}`,
      ]);
    }
  }
  sheet.getColumn(3).numFmt = '0.000';
  sheet.getColumn(4).numFmt = '0.000';
  sheet.getColumn(5).numFmt = '0.0%';
  sheet.columns.forEach((col) => {
    col.width = 16;
  });
  const png = await renderChartPng(pretrainingChartSpec(rows));
  const imageId = workbook.addImage({ buffer: png as unknown as ExcelBuffer, extension: 'png' });
  const top = sheet.rowCount + 1;
  // Room for the title, the legend and the two panels' axes around the plot areas.
  const ext = { width: PRETRAINING_PANEL.width + 200, height: 2 * PRETRAINING_PANEL.height + 160 };
  sheet.addImage(imageId, { tl: { col: 0, row: top }, ext });
}
