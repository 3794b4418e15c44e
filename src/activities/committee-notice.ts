import { loadBoardMembers, loadStandInsFor } from '../db/board-people';
import { loadCommitteeComment, loadSlkMailboxes } from '../db/committee-comments';
import { loadCycle } from '../db/cycles';
import { loadRecipientOrganisations } from '../db/registry';
import { boardPeopleRecipients } from '../domain/board-recipients';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { boardPageUrl } from './links';
import { ActivityDeps } from './ports';
import { RenderedMail, renderParagraphs } from './reminder-mail';
import { sendOnce, SendOnceResult } from './send-once';

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

export function createCommitteeActivities(deps: ActivityDeps) {
  const { db } = deps;
  return {
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
      const [orgs, cycle, slk, members] = await Promise.all([
        loadRecipientOrganisations(db, comment.municipality, comment.boardId),
        loadCycle(db, comment.municipality, comment.budgetYear),
        loadSlkMailboxes(db, comment.municipality, day),
        loadBoardMembers(db, comment.boardId, at),
      ]);
      const standIns = await loadStandInsFor(
        db,
        members.map((m) => m.personId),
        day,
      );
      const registrator = orgs?.board.contacts.filter((c) => c.role === 'registrator').map((c) => c.email) ?? [];
      const people = boardPeopleRecipients({
        boardId: comment.boardId,
        kind: 'committee',
        roles: ['registrator'],
        members,
        standIns,
      }).map((p) => p.address);
      const to: string[] = [];
      for (const address of [...registrator, ...people, ...slk]) {
        if (!to.some((a) => a.toLowerCase() === address.toLowerCase())) to.push(address);
      }
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
