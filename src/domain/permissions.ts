import type { Duty, Grant, Scope } from './grants';
import type { Principal } from './principal';

/**
 * What a caller may do, decided by action and target in one place (issue 13), instead of role
 * checks in routes and pages. Pure: the target carries what the decision needs from the
 * registry (whether a board is a company under Stockholms Stadshus AB).
 *
 * Actions (Swedish in brackets):
 * - `read-board`: see a board's deliverables, reports, files, mails and LUP (läsa);
 * - `read-all`: the cross-board views: cycle status, overview, exports, template previews;
 * - `draft`: save draft answers and attach files (utkast);
 * - `mark-ready`: hand in a report's saved answers (klarmarkera);
 * - `sign-off`: the förvaltningschef's or VD's sign-off where the phase asks (intyga);
 * - `submit-document`: hand in with a document reference, the older way (lämna in);
 * - `record-dialogue`: record a citizen dialogue in a district's LUP (medborgardialog);
 * - `review`: SLK's decisions and comments on what was handed in (granska: godkänn, återremittera);
 * - `admin`: SLK's management of cycles: deadlines, extensions (anstånd), exemptions,
 *   milestones, cancelling, templates, registry;
 * - `committee-act`: the committee's own acts (issue 14): comments on a board's report or a
 *   district's LUP (kommentera). The committee's alone: SLK reviews, it does not act for the committee.
 */
export const actions = [
  'read-board',
  'read-all',
  'draft',
  'mark-ready',
  'sign-off',
  'submit-document',
  'record-dialogue',
  'review',
  'admin',
  'committee-act',
] as const;
export type Action = (typeof actions)[number];

/** The actions about one board, which need a target. */
export const boardActions: readonly Action[] = [
  'read-board',
  'draft',
  'mark-ready',
  'sign-off',
  'submit-document',
  'record-dialogue',
];

/** A board an action is about, with what the registry says of it. */
export interface BoardTarget {
  boardId: string;
  /** The group parent (Stockholms Stadshus AB) when the board is one of its companies. */
  groupParentId?: string;
  /** The board is the group parent itself (Stockholms Stadshus AB), whose people follow its companies from its page. */
  isGroupParent?: true;
}

/** Which scope a token needs for an action. */
export const scopeOf: Record<Action, Scope> = {
  'read-board': 'read',
  'read-all': 'read',
  draft: 'submit',
  'mark-ready': 'submit',
  'sign-off': 'submit',
  'submit-document': 'submit',
  'record-dialogue': 'submit',
  review: 'admin',
  admin: 'admin',
  'committee-act': 'submit',
};

/** Which duties at a board allow each board action (a förvaltningschef can do what a controller can). */
export const dutiesFor: Record<Exclude<Action, 'read-all' | 'review' | 'admin' | 'committee-act'>, readonly Duty[]> = {
  'read-board': ['handlaggare', 'controller', 'forvaltningschef'],
  draft: ['handlaggare', 'controller', 'forvaltningschef'],
  'mark-ready': ['controller', 'forvaltningschef'],
  'submit-document': ['controller', 'forvaltningschef'],
  'record-dialogue': ['controller', 'forvaltningschef'],
  'sign-off': ['forvaltningschef'],
};

/**
 * Why an action is refused, so surfaces answer alike everywhere:
 * - `hidden`: the caller may not even see the board, and learns nothing of it (404);
 * - `missing-duty`: the caller works at the board, but this needs another duty (403);
 * - `missing-scope`: the token's grants would allow it, its scopes do not (403);
 * - `forbidden`: no grant allows it (403).
 */
export type Decision =
  { allowed: true } | { allowed: false; reason: 'hidden' | 'missing-duty' | 'missing-scope' | 'forbidden' };

function grantAllows(grant: Grant, action: Action, target: BoardTarget | undefined): boolean {
  switch (grant.kind) {
    case 'admin':
      // SLK does everything except the board's own sign-off, which is the board's to give.
      return action !== 'sign-off' && action !== 'committee-act';
    case 'committee':
      return action === 'read-board' || action === 'read-all' || action === 'committee-act';
    case 'stadshus':
      // Its companies, and its own board, whose page shows the companies' status (issue 14).
      return action === 'read-board' && (target?.groupParentId !== undefined || target?.isGroupParent === true);
    case 'board':
      if (action === 'read-all' || action === 'review' || action === 'admin' || action === 'committee-act')
        return false;
      return target?.boardId === grant.boardId && dutiesFor[action].includes(grant.duty);
  }
}

/** Whether a board action is about a target: a board action without one is refused. */
const needsTarget = (action: Action): boolean => boardActions.includes(action);

export function decide(principal: Principal, action: Action, target?: BoardTarget): Decision {
  if (needsTarget(action) && target === undefined) return { allowed: false, reason: 'forbidden' };
  const byGrants = principal.grants.some((grant) => grantAllows(grant, action, target));
  if (byGrants) {
    if (principal.kind === 'token' && !principal.scopes.includes(scopeOf[action]))
      return { allowed: false, reason: 'missing-scope' };
    return { allowed: true };
  }
  if (target && !principal.grants.some((grant) => grantAllows(grant, 'read-board', target)))
    return { allowed: false, reason: 'hidden' };
  if (target && principal.grants.some((g) => g.kind === 'board' && g.boardId === target.boardId))
    return { allowed: false, reason: 'missing-duty' };
  return { allowed: false, reason: 'forbidden' };
}

/** Whether the caller may do `action` (on `target`, for a board action). */
export function may(principal: Principal, action: Action, target?: BoardTarget): boolean {
  return decide(principal, action, target).allowed;
}

/**
 * Which boards' rows a list shows the caller: `all` for whoever may read across boards, else the
 * boards it works at and those of `known` (the registry's boards as targets) it may read, such as
 * the group's companies for Stockholms Stadshus AB.
 */
export function readableBoards(principal: Principal, known: readonly BoardTarget[] = []): 'all' | Set<string> {
  if (may(principal, 'read-all')) return 'all';
  const boards = new Set<string>();
  for (const grant of principal.grants) {
    if (grant.kind === 'board' && may(principal, 'read-board', { boardId: grant.boardId })) boards.add(grant.boardId);
  }
  for (const target of known) if (may(principal, 'read-board', target)) boards.add(target.boardId);
  return boards;
}

/** The one board a caller works at, when it works at exactly one (where its pages land). */
export function homeBoard(principal: Principal): string | undefined {
  const boards = new Set(principal.grants.flatMap((g) => (g.kind === 'board' ? [g.boardId] : [])));
  return boards.size === 1 ? [...boards][0] : undefined;
}
