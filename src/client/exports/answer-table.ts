/**
 * A phase's answers as tables, for the workbook, the CSV and the printed report: one row per
 * board with a column per answer; a list of records (a table the board filled in, a section per
 * priority area or measure) gets a table of its own with the board on every row. Pure: the
 * caller brings the rows. Columns are named by the answers' keys in the order they first appear.
 */

export type Cell = string | number | boolean | null;

export interface Table {
  name: string;
  columns: string[];
  rows: Cell[][];
}

export interface BoardAnswers {
  /** The leading cells of the board's row (board, status, submitted …), named by `leading`. */
  leading: Cell[];
  content: Record<string, unknown> | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as one cell: scalars as they are, lists of scalars joined, anything else as JSON. */
export function cellOf(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v))) return value.join('; ');
  return JSON.stringify(value);
}

/** Flattens nested records into dotted keys; lists of records stay as they are (sub-tables). */
export function flattenAnswers(content: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(content)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRecord(value)) out.push(...flattenAnswers(value, name));
    else out.push([name, value]);
  }
  return out;
}

const isRecordList = (value: unknown): value is Array<Record<string, unknown>> =>
  Array.isArray(value) && value.length > 0 && value.every(isRecord);

export function answerTables(leading: string[], boards: BoardAnswers[], mainName = 'Svar'): Table[] {
  const mainColumns: string[] = [];
  const subColumns = new Map<string, string[]>();
  const addColumn = (list: string[], name: string) => {
    if (!list.includes(name)) list.push(name);
  };
  for (const board of boards) {
    for (const [key, value] of flattenAnswers(board.content ?? {})) {
      if (isRecordList(value)) {
        const columns = subColumns.get(key) ?? [];
        for (const item of value) for (const [k] of flattenAnswers(item)) addColumn(columns, k);
        subColumns.set(key, columns);
      } else {
        addColumn(mainColumns, key);
      }
    }
  }
  const main: Table = { name: mainName, columns: [...leading, ...mainColumns], rows: [] };
  const subs = [...subColumns].map(([name, columns]): Table => ({
    name,
    columns: [leading[0]!, ...columns],
    rows: [],
  }));
  for (const board of boards) {
    const answers = new Map(flattenAnswers(board.content ?? {}));
    main.rows.push([...board.leading, ...mainColumns.map((c) => (subColumns.has(c) ? null : cellOf(answers.get(c))))]);
    for (const sub of subs) {
      const items = answers.get(sub.name);
      if (!isRecordList(items)) continue;
      for (const item of items) {
        const fields = new Map(flattenAnswers(item));
        sub.rows.push([board.leading[0] ?? null, ...sub.columns.slice(1).map((c) => cellOf(fields.get(c)))]);
      }
    }
  }
  return [main, ...subs];
}

/**
 * One table as CSV the way Swedish spreadsheet programs open it: UTF-8 with a byte-order mark,
 * semicolons between fields (the comma is the decimal sign here), quotes doubled, CRLF lines.
 */
export function toCsv(table: Table): string {
  const field = (cell: Cell | string): string => {
    const text = cell === null ? '' : typeof cell === 'boolean' ? (cell ? 'ja' : 'nej') : String(cell);
    return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [table.columns, ...table.rows].map((row) => row.map(field).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
