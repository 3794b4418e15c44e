import { createInterface } from 'node:readline/promises';
import { legalDeadline } from '../../domain/business-days';
import { isLocalDate } from '../../domain/local-date';
import { OperationError } from '../operations/operation-error';
import type { RefusalCode, RefusalParams } from '../../domain/refusals';
import { describeProblem } from '../http/pages/format';

/**
 * Who a write from the command line is recorded as: `cli:uid:<numeric uid>` (`cli:uid:okänd`
 * where the system has none, as on Windows). Not the account's name: a user name is often the
 * person's own (anna.andersson), and the record is append-only, so a name written there could
 * never be erased (issue 13). The uid names the account without naming anyone; the machine's
 * own account list maps it to a person, and the IT department that controls that list answers
 * who held it, and can forget it, without touching the record. Pages show it as
 * "kommandoraden (uid 1000)" (src/db/actor-names.ts). Older records keep their `cli:<user>`.
 */
export function cliActor(): string {
  // POSIX only (no passwd entry needed, unlike the user's name); Windows has no uid.
  const uid = process.getuid?.();
  return `cli:uid:${uid !== undefined && Number.isInteger(uid) && uid >= 0 ? uid : 'okänd'}`;
}

/** Progress of a long command, on stderr so stdout stays what the command answers. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function writeJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

/** Bad input to a command, named by its field: `fel: <field>: <Swedish sentence> (<code>)`, exit code 2. */
export function badInput(
  field: string,
  problem: string,
  code: RefusalCode = 'invalid',
  params?: RefusalParams,
): OperationError {
  return new OperationError(400, field, problem, code, params);
}

/**
 * A refusal (or a warning) as the CLI prints it: the field as the command names it, the code's
 * Swedish sentence (the pages' table: one translation path) and the code, which scripts can rely
 * on. The CLI has no language switch; it speaks Swedish like the rest of its output. The engine's
 * own text follows on a line of its own as a detail: it names what the sentence cannot (the value
 * given, what the cycle has), which an operator at a terminal needs.
 */
export function refusalLine(
  prefix: 'fel' | 'varning',
  refusal: { field: string; code: string; params?: RefusalParams | undefined; problem: string },
): string {
  return (
    `${prefix}: ${refusal.field}: ${describeProblem(refusal.field, refusal)} (${refusal.code})\n` +
    `  detalj: ${refusal.problem}\n`
  );
}

export type OutputFormat = 'table' | 'json';

export function parseFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json') return value;
  throw badInput('format', `must be json or table (got ${value})`, 'not-an-option', { options: 'json, table' });
}

/** A budget year given on the command line. */
export function parseBudgetYear(text: string): number {
  if (!/^\d{4}$/.test(text)) throw badInput('budgetYear', `must be a year such as 2027 (got ${text})`, 'bad-format');
  return Number(text);
}

/** A date option (YYYY-MM-DD), named by its field when it is not one. */
export function parseDate(field: string, text: string): string {
  if (!isLocalDate(text)) throw badInput(field, `must be a date YYYY-MM-DD (got ${text})`, 'bad-date');
  return text;
}

/** A fixed-width table for people: a header, a rule, one line per row. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Asks a yes/no question on the terminal; yes is j, ja, y or yes (any case). */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [j/N] `);
    return ['j', 'ja', 'y', 'yes'].includes(answer.trim().toLowerCase());
  } finally {
    rl.close();
  }
}

/** Exit codes of every command: 0 done, 1 failed or refused, 2 bad input or configuration. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

/** Wrong use of a command: exit code 2, like bad configuration. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A deadline the law moves (Lag 1930:173, 2 §), as a warning line; nothing when it stays. */
export function warnIfDeadlineMoves(field: string, date: string): void {
  const legal = legalDeadline(date);
  if (legal.shiftedFrom) {
    process.stderr.write(
      `varning: ${field}: ${date} is ${legal.shiftedFrom.reason}: the deadline moves to ${legal.date} (Lag 1930:173, 2 §)\n`,
    );
  }
}
