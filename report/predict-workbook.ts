import ExcelJS from 'exceljs';
import { renderChartPng } from './chart.js';
import type { ShelfShareRow } from './model.js';
import type { PredictedBox } from './predict-table.js';
import { addChartSheet } from './sheets/chart-sheet.js';
import { addShelfShareSheet } from './sheets/shelf-share-sheet.js';
import {
  freezeRows,
  setColumnWidths,
  styleHeaderRow,
  styleSectionRow,
  styleTitleRow,
} from './sheets/style.js';
import { shelfShareLines, shelfShareTotal } from './shelf-share.js';
import { shelfShareChartSpec } from './shelf-share-chart.js';

export interface PredictWorkbookInput {
  title: string;
  generatedAt: string;
  model: string;
  /** Class names plus `unknown`, in column order. */
  classNames: string[];
  boxes: readonly PredictedBox[];
  perImage: ShelfShareRow[];
  perStore: ShelfShareRow[];
  counts: Record<string, number>;
  bad: Record<string, { count: number; examples: { file: string; line: number; detail: string }[] }>;
}

function addSummarySheet(workbook: ExcelJS.Workbook, input: PredictWorkbookInput): void {
  const sheet = workbook.addWorksheet('Summary');
  styleTitleRow(sheet.addRow([input.title]));
  sheet.addRow(['Model', input.model]);
  sheet.addRow(['Generated', input.generatedAt]);
  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Counts', '']));
  for (const [k, v] of Object.entries(input.counts)) sheet.addRow([k, v]);
  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Rejected input', 'Count', 'Examples']));
  const reasons = Object.entries(input.bad).filter(([, r]) => r.count > 0);
  if (reasons.length === 0) sheet.addRow(['(none)', 0, '']);
  for (const [reason, r] of reasons)
    sheet.addRow([reason, r.count, r.examples.map((e) => `${e.file}:${e.line}: ${e.detail}`).join('; ')]);
  setColumnWidths(sheet, [28, 40, 80]);
}

function addBoxesSheet(workbook: ExcelJS.Workbook, boxes: readonly PredictedBox[]): void {
  const sheet = workbook.addWorksheet('Boxes');
  styleHeaderRow(
    sheet.addRow(['Image', 'Store', 'Box', 'x1', 'y1', 'x2', 'y2', 'Class', 'Predicted', 'Confidence']),
  );
  for (const b of boxes)
    sheet.addRow([b.image, b.store ?? '', b.boxId, ...b.box, b.cls, b.predicted, b.confidence]);
  sheet.getColumn(10).numFmt = '0.000';
  setColumnWidths(sheet, [22, 14, 26, 7, 7, 7, 7, 14, 14, 11]);
  freezeRows(sheet, 1);
}

/** The predict run's workbook: summary and rejected input, shelf share per store and image, a chart, every box. */
export async function buildPredictWorkbook(input: PredictWorkbookInput): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'shelfssl';
  workbook.created = new Date(input.generatedAt);
  workbook.title = input.title;
  addSummarySheet(workbook, input);
  const { classNames } = input;
  const byStore = input.perStore.length > 0;
  if (byStore)
    addShelfShareSheet(
      workbook,
      { shelfShare: input.perStore.map(({ store: _s, ...r }) => r), classNames },
      { sheet: 'Stores', title: 'Shelf share per store (facings per class)', first: 'Store' },
    );
  addShelfShareSheet(workbook, { shelfShare: input.perImage, classNames });
  const rows = byStore ? input.perStore.map(({ store: _s, ...r }) => r) : input.perImage;
  const lines = shelfShareLines(rows, classNames);
  const chartLines = [...lines, shelfShareTotal(lines, classNames.length)];
  const png = await renderChartPng(
    shelfShareChartSpec(chartLines, classNames, input.title, byStore ? 'Store' : 'Image'),
  );
  addChartSheet(workbook, png, `Share of shelf per ${byStore ? 'store' : 'image'}`);
  addBoxesSheet(workbook, input.boxes);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
