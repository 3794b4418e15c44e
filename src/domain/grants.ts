import { z } from 'zod';

/**
 * What a principal holds (issue 13): grants, each a right the city gave a person (through the
 * provider's groups or by hand) or a machine token. The glossary of who is who:
 *
 * - SLK, Stadsledningskontoret (city management office) → `admin`: cycles, calendars,
 *   templates, review (granskning), registry.
 * - Kommunstyrelsens ytterstads- och demokratiutskott (the committee) → `committee`: reads every
 *   board's deliverables and the cross-board views, writes nothing here.
 * - Stockholms Stadshus AB (the group parent of the city's companies) → `stadshus`: reads and
 *   follows its companies' reports, nothing else.
 * - A board (nämnd, bolagsstyrelse) → `board` with one duty there:
 *   - handläggare (case officer) → `handlaggare`: drafts answers;
 *   - controller → `controller`: drafts and marks ready (klarmarkerar), hands in documents;
 *   - förvaltningschef / stadsdelsdirektör, or a company's VD → `forvaltningschef`: signs off
 *     (intygar) where the phase asks, and can do what a controller can.
 */

export const duties = ['handlaggare', 'controller', 'forvaltningschef'] as const;
export type Duty = (typeof duties)[number];

export const grantKinds = ['admin', 'committee', 'stadshus', 'board'] as const;
export type GrantKind = (typeof grantKinds)[number];

export type Grant =
  { kind: 'admin' } | { kind: 'committee' } | { kind: 'stadshus' } | { kind: 'board'; boardId: string; duty: Duty };

/**
 * What a machine token may be used for, on top of its grants (a token can do no more than its
 * grants allow, and no more than its scopes): `read` reads, `submit` drafts and hands in, `admin`
 * does SLK's work. People have no scopes: their grants alone decide.
 */
export const scopes = ['read', 'submit', 'admin'] as const;
export type Scope = (typeof scopes)[number];

/** Same shape as an organisation id in the registry. */
export const BOARD_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const boardIdSchema = z.string().regex(BOARD_ID_PATTERN, { message: 'must be an organisation id' });

export const grantSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('admin') }).strict(),
  z.object({ kind: z.literal('committee') }).strict(),
  z.object({ kind: z.literal('stadshus') }).strict(),
  z.object({ kind: z.literal('board'), boardId: boardIdSchema, duty: z.enum(duties) }).strict(),
]);

const GRANT_TEXT = new RegExp(`^(?:admin|committee|stadshus|board:[a-z0-9]+(?:-[a-z0-9]+)*:(?:${duties.join('|')}))$`);

/**
 * A grant as one word, for the CLI and logs: `admin`, `committee`, `stadshus` or
 * `board:<organisation id>:<duty>`.
 */
export const grantTextSchema = z
  .string()
  .regex(GRANT_TEXT, {
    message: `must be admin, committee, stadshus or board:<organisation id>:<${duties.join('|')}>`,
  })
  .transform((text): Grant => {
    if (text === 'admin' || text === 'committee' || text === 'stadshus') return { kind: text };
    const [, boardId, duty] = text.split(':') as [string, string, Duty];
    return { kind: 'board', boardId, duty };
  });

export function formatGrant(grant: Grant): string {
  return grant.kind === 'board' ? `board:${grant.boardId}:${grant.duty}` : grant.kind;
}

export const scopeSchema = z.enum(scopes);

/** Grants without repeats, in a stable order (the set a principal holds, whatever the source). */
export function distinctGrants(grants: readonly Grant[]): Grant[] {
  const byText = new Map(grants.map((g) => [formatGrant(g), g]));
  return [...byText.keys()].sort().map((text) => byText.get(text)!);
}
