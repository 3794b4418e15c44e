import {
  GeneratedItem,
  optionsOf,
  Question,
  ReportTemplate,
  TableColumn,
  TemplateContext,
  withResolvedOptions,
} from '../../domain/report-template';
import type { Cell, Table } from './answer-table';

/**
 * A phase's answers in its template's structure, for the exports people read (issue 12): the
 * workbook's first sheet has one row per board and a column per question, named as the board
 * read it; each table question and each generated section (per priority area, LUP measure,
 * nämndmål, goal) gets a sheet of its own with the board, and the item, on every row. The
 * printed report follows the sections in order. Choices are shown by their labels, yes/no in
 * words, files by their names. Pure: the caller brings each board's answers and the items its
 * generated sections had (its template context).
 */

type Answers = Record<string, unknown>;
const objectAt = (value: unknown): Answers =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Answers) : {};

/** One answer as a cell: choices by their labels, yes/no in words, files by their names. */
export function answerCell(spec: Question | TableColumn, value: unknown): Cell {
  if (value === undefined || value === null || value === '') return null;
  switch (spec.kind) {
    case 'choice':
      return optionsOf(spec).find((o) => o.id === value)?.label ?? String(value);
    case 'choices':
      return Array.isArray(value)
        ? value.map((v) => optionsOf(spec).find((o) => o.id === v)?.label ?? String(v)).join('; ')
        : String(value);
    case 'yes-no':
      return value === true ? 'ja' : value === false ? 'nej' : String(value);
    case 'file':
      return Array.isArray(value) ? value.map((f) => String(objectAt(f).name ?? '')).join('; ') : null;
    case 'table':
      return Array.isArray(value) ? `${value.length} rader` : null;
    default:
      return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
}

const withUnit = (spec: Question | TableColumn): string =>
  spec.kind === 'number' && spec.unit ? `${spec.label} (${spec.unit})` : spec.label;

export interface BoardTemplateAnswers {
  /** The leading cells of the board's row (board, status, submitted …), named by `leading`. */
  leading: Cell[];
  answers: Answers | null;
  /** The items the board's generated sections had, and its kind (for the sections asked). */
  context: TemplateContext;
}

/** What a generated section's item is called in the exports' column. */
const ITEM_COLUMN = 'Avser';

export function templateTables(template: ReportTemplate, leading: string[], boards: BoardTemplateAnswers[]): Table[] {
  const boardColumn = leading[0]!;
  const main: Table = { name: 'Svar', columns: [...leading], rows: boards.map((b) => [...b.leading]) };
  const sheets: Table[] = [];
  const resolved = boards.map((b) => withResolvedOptions(template, b.context));

  template.sections.forEach((section, s) => {
    const plain = section.questions.filter((q) => q.kind !== 'table');
    const tables = section.questions.filter((q) => q.kind === 'table');
    if (!section.generate) {
      for (const question of plain) main.columns.push(`${section.title}: ${withUnit(question)}`);
      boards.forEach((board, b) => {
        const given = objectAt(objectAt(board.answers)[section.id]);
        for (const question of resolved[b]!.sections[s]!.questions.filter((q) => q.kind !== 'table')) {
          main.rows[b]!.push(answerCell(question, given[question.id]));
        }
      });
    } else {
      const sheet: Table = {
        name: section.title,
        columns: [boardColumn, ITEM_COLUMN, ...plain.map(withUnit)],
        rows: [],
      };
      boards.forEach((board, b) => {
        const items: GeneratedItem[] = board.context[section.generate!] ?? [];
        const given = objectAt(objectAt(board.answers)[section.id]);
        for (const item of items) {
          const itemAnswers = objectAt(given[item.id]);
          const questions = resolved[b]!.sections[s]!.questions.filter((q) => q.kind !== 'table');
          sheet.rows.push([
            board.leading[0] ?? null,
            item.name,
            ...questions.map((q) => answerCell(q, itemAnswers[q.id])),
          ]);
        }
      });
      if (plain.length > 0) sheets.push(sheet);
    }
    for (const table of tables) {
      if (table.kind !== 'table') continue;
      const sheet: Table = {
        name: table.label,
        columns: [boardColumn, ...(section.generate ? [ITEM_COLUMN] : []), ...table.columns.map(withUnit)],
        rows: [],
      };
      boards.forEach((board, b) => {
        const spec = resolved[b]!.sections[s]!.questions.find((q) => q.id === table.id);
        if (spec?.kind !== 'table') return;
        const given = objectAt(objectAt(board.answers)[section.id]);
        const places: Array<[string | undefined, unknown]> = section.generate
          ? (board.context[section.generate] ?? []).map((item) => [item.name, objectAt(given[item.id])[table.id]])
          : [[undefined, given[table.id]]];
        for (const [itemName, rows] of places) {
          if (!Array.isArray(rows)) continue;
          for (const row of rows) {
            sheet.rows.push([
              board.leading[0] ?? null,
              ...(section.generate ? [itemName ?? null] : []),
              ...spec.columns.map((c) => answerCell(c, objectAt(row)[c.id])),
            ]);
          }
        }
      });
      sheets.push(sheet);
    }
  });
  return [main, ...sheets];
}

/** One section of a printed report: its answers as label and text, tables as rows of cells. */
export interface PrintedSection {
  title: string;
  entries: Array<{ label: string; text: string } | { label: string; columns: string[]; rows: string[][] }>;
}

/** A board's answers in its template's order, for the printed report. */
export function printableAnswers(
  template: ReportTemplate,
  context: TemplateContext,
  answers: unknown,
): PrintedSection[] {
  const resolved = withResolvedOptions(template, context);
  const text = (cell: Cell) => (cell === null ? '—' : String(cell));
  return resolved.sections.flatMap((section): PrintedSection[] => {
    if (section.boardKinds && context.boardKind && !section.boardKinds.includes(context.boardKind)) return [];
    const given = objectAt(objectAt(answers)[section.id]);
    const places: Array<[string | undefined, Answers]> = section.generate
      ? (context[section.generate] ?? []).map((item) => [item.name, objectAt(given[item.id])])
      : [[undefined, given]];
    return places.map(([itemName, values]) => ({
      title: itemName ? `${section.title}: ${itemName}` : section.title,
      entries: section.questions.map((question) =>
        question.kind === 'table'
          ? {
              label: question.label,
              columns: question.columns.map(withUnit),
              rows: (Array.isArray(values[question.id]) ? (values[question.id] as unknown[]) : []).map((row) =>
                question.columns.map((c) => text(answerCell(c, objectAt(row)[c.id]))),
              ),
            }
          : { label: withUnit(question), text: text(answerCell(question, values[question.id])) },
      ),
    }));
  });
}
