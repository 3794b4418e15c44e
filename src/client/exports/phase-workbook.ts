import ExcelJS from 'exceljs';
import type { Table } from './answer-table';

/** Excel limits a sheet's name to 31 characters and forbids a few; names must be unique. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[\\/?*[\]:]/g, '-').slice(0, 31) || 'Blad';
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 28)} ${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * A phase's answers as an Excel workbook (exceljs): the first sheet one row per board, then one
 * sheet per table of records. Header row bold and frozen, columns wide enough to read, a filter
 * on the header so SLK can sort and filter by board or status.
 */
export async function phaseWorkbook(tables: Table[], meta: { title: string; creator: string }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = meta.creator;
  workbook.title = meta.title;
  const taken = new Set<string>();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetName(table.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(table.columns);
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows)
      sheet.addRow(row.map((cell) => (typeof cell === 'boolean' ? (cell ? 'ja' : 'nej') : cell)));
    table.columns.forEach((column, i) => {
      const longest = Math.max(column.length, ...table.rows.map((r) => String(r[i] ?? '').length));
      sheet.getColumn(i + 1).width = Math.min(60, Math.max(10, longest + 2));
    });
    if (table.columns.length > 0) {
      sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
