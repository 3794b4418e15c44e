import { loadBoardMembers, loadStandInsFor } from '../db/board-people';
import { loadCommitteeComment, loadSlkMailboxes } from '../db/committee-comments';
import { loadCycle } from '../db/cycles';
import { loadAreaFlagAct } from '../db/committee-area-flags';
import { loadRecipientOrganisations, loadStoredRegistry } from '../db/registry';
import { boardsServingArea } from '../domain/organisations';
import { boardPeopleRecipients } from '../domain/board-recipients';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { boardPageUrl } from './links';
import { ActivityDeps } from './ports';
import { RenderedMail, renderParagraphs } from './reminder-mail';
import { sendOnce, SendOnceResult } from './send-once';

/** Each address once, the first spelling kept. */
function distinctAddresses(addresses: readonly string[]): string[] {
  const out: string[] = [];
  for (const address of addresses) {
    if (!out.some((a) => a.toLowerCase() === address.toLowerCase())) out.push(address);
  }
  return out;
}

/** The send log's key of the mail about a committee comment: one mail per comment, ever. */
export const committeeCommentMailKey = (commentId: string): string => `committee-comment#${commentId}`;

/** What the mail about a comment says (Swedish: the committee and the boards work in Swedish). */
export function renderCommitteeCommentMail(input: {
  boardName: string;
  /** The report's phase name, or absent for the district's LUP. */
  phaseName?: string;
  budgetYear: number;
  path?: string;
  comment: string;
  link?: string;
}): RenderedMail {
  const what = input.phaseName ? `${input.phaseName} ${input.budgetYear}` : `LUP ${input.budgetYear}`;
  return renderParagraphs(
    `Utskottet har kommenterat ${what}: ${input.boardName}`,
    [
      [
        'Kommunstyrelsens ytterstads- och demokratiutskott har lämnat en kommentar på ',
        { strong: `${input.boardName}s ${input.phaseName ? 'rapport' : 'lokala utvecklingsprogram'} (${what})` },
        '.',
      ],
      ...(input.path ? [['Kommentaren gäller frågan ', { strong: input.path }, '.']] : []),
      ['Kommentar:'],
      [input.comment],
    ],
    'sv',
    input.link,
  );
}

/** The send log's key of the mail about a flag or unflag of a priority area. */
export const areaFlagMailKey = (actId: string): string => `committee-area-flag#${actId}`;

/** What the mail about a flagged (or unflagged) priority area says. */
export function renderAreaFlagMail(input: {
  areaName: string;
  action: 'flag' | 'unflag';
  reason?: string;
  link?: string;
}): RenderedMail {
  const flagged = input.action === 'flag';
  return renderParagraphs(
    flagged ? `Utskottet uppmärksammar ${input.areaName}` : `Utskottet uppmärksammar inte längre ${input.areaName}`,
    [
      [
        'Kommunstyrelsens ytterstads- och demokratiutskott ',
        flagged
          ? 'har uppmärksammat det prioriterade området '
          : 'har tagit bort sin uppmärksamhet från det prioriterade området ',
        { strong: input.areaName },
        '.',
      ],
      ...(input.reason ? [[flagged ? 'Skäl:' : 'Kommentar:'], [input.reason]] : []),
    ],
    'sv',
    input.link,
  );
}

export function createCommitteeActivities(deps: ActivityDeps) {
  const { db } = deps;

  /** A board's mailbox and its people by duty, as they stand at `at` (stand-ins included). */
  const boardAddresses = async (municipality: string, boardId: string, at: Date): Promise<string[]> => {
    const day = localDateOf(at, MUNICIPALITY_TIME_ZONE);
    const [orgs, members] = await Promise.all([
      loadRecipientOrganisations(db, municipality, boardId),
      loadBoardMembers(db, boardId, at),
    ]);
    const standIns = await loadStandInsFor(
      db,
      members.map((m) => m.personId),
      day,
    );
    const registrator = orgs?.board.contacts.filter((c) => c.role === 'registrator').map((c) => c.email) ?? [];
    const people = boardPeopleRecipients({ boardId, kind: 'committee', roles: ['registrator'], members, standIns });
    return [...registrator, ...people.map((p) => p.address)];
  };

  return {
    /**
     * Mails one flag or unflag of a priority area to the boards serving the area on the day it
     * is sent (their mailboxes and people by duty) and to SLK. Once, by the send log's key.
     */
    async sendAreaFlagMail(input: { actId: string; firedAt: string }): Promise<SendOnceResult> {
      const act = await loadAreaFlagAct(db, input.actId);
      if (!act) throw new Error(`area flag ${input.actId} does not exist`);
      const at = new Date(input.firedAt);
      const day = localDateOf(at, MUNICIPALITY_TIME_ZONE);
      const [registry, slk] = await Promise.all([
        loadStoredRegistry(db, act.municipality),
        loadSlkMailboxes(db, act.municipality, day),
      ]);
      const area = registry?.priorityAreas.find((a) => a.id === act.areaId);
      const boards = registry ? boardsServingArea(registry, act.areaId, day) : [];
      const perBoard = await Promise.all(boards.map((b) => boardAddresses(act.municipality, b.id, at)));
      return sendOnce(deps, {
        key: areaFlagMailKey(act.id),
        workflowId: `${act.municipality}/priority-area/${act.areaId}`,
        logKind: `committee-area-${act.action}`,
        auditKind: 'committee-area-flag-mail',
        plannedAt: act.createdAt.toISOString(),
        firedAt: input.firedAt,
        to: distinctAddresses([...perBoard.flat(), ...slk]),
        roles: ['registrator', 'slk'],
        mail: renderAreaFlagMail({
          areaName: area?.name ?? act.areaId,
          action: act.action,
          ...(act.reason !== undefined && { reason: act.reason }),
          ...(deps.publicUrl && { link: new URL('/', deps.publicUrl).toString() }),
        }),
        payload: { actId: act.id, areaId: act.areaId, boards: boards.map((b) => b.id) },
      });
    },

    /**
     * Mails one committee comment to those concerned: the board's registry mailboxes and its
     * people by duty (as they stand when it is sent, stand-ins included), and SLK's mailbox.
     * Once: the send log's row (the outbox row the comment's transaction wrote) holds the key.
     */
    async sendCommitteeCommentMail(input: { commentId: string; firedAt: string }): Promise<SendOnceResult> {
      const comment = await loadCommitteeComment(db, input.commentId);
      if (!comment) throw new Error(`committee comment ${input.commentId} does not exist`);
      const at = new Date(input.firedAt);
      const day = localDateOf(at, MUNICIPALITY_TIME_ZONE);
      const [orgs, cycle, slk, board] = await Promise.all([
        loadRecipientOrganisations(db, comment.municipality, comment.boardId),
        loadCycle(db, comment.municipality, comment.budgetYear),
        loadSlkMailboxes(db, comment.municipality, day),
        boardAddresses(comment.municipality, comment.boardId, at),
      ]);
      const to = distinctAddresses([...board, ...slk]);
      const phase = comment.phaseId ? cycle?.calendar.phases.find((p) => p.id === comment.phaseId) : undefined;
      const mail = renderCommitteeCommentMail({
        boardName: orgs?.board.name ?? comment.boardId,
        ...(comment.subject === 'report' && { phaseName: phase?.name ?? comment.phaseId }),
        budgetYear: comment.budgetYear,
        ...(comment.path !== undefined && { path: comment.path }),
        comment: comment.comment,
        ...(deps.publicUrl && { link: boardPageUrl(deps.publicUrl, comment.boardId) }),
      });
      return sendOnce(deps, {
        key: committeeCommentMailKey(comment.id),
        workflowId: comment.workflowId,
        logKind: 'committee-comment',
        auditKind: 'committee-comment-mail',
        plannedAt: comment.createdAt.toISOString(),
        firedAt: input.firedAt,
        to,
        roles: ['registrator', 'slk'],
        mail,
        payload: { commentId: comment.id, boardId: comment.boardId },
      });
    },
  };
}
