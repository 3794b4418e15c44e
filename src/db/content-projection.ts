import { Queryable } from './database';
import type { DeliverableSnapshot } from './read-model';

/**
 * Projections of the guidelines' content from audit events, in the transaction that appends
 * them: the latest submitted content per deliverable, each LUP's stage, its citizen dialogues.
 */
export async function projectContent(
  db: Queryable,
  eventId: string,
  event: { workflowId: string; runId?: string; kind: string; occurredAt: Date; payload?: Record<string, unknown> },
): Promise<void> {
  const payload = event.payload ?? {};
  const snapshot = payload.snapshot as DeliverableSnapshot | undefined;
  if (event.kind === 'submitted' && snapshot && payload.content) {
    await db.query(
      `INSERT INTO submission_content (workflow_id, municipality, budget_year, phase_id, board_id, content, submitted_at,
         last_event_id, run_id, last_seq)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (workflow_id) DO UPDATE SET content = EXCLUDED.content, submitted_at = EXCLUDED.submitted_at,
         board_id = EXCLUDED.board_id, last_event_id = EXCLUDED.last_event_id, run_id = EXCLUDED.run_id,
         last_seq = EXCLUDED.last_seq
       WHERE submission_content.run_id IS DISTINCT FROM EXCLUDED.run_id OR submission_content.last_seq < EXCLUDED.last_seq`,
      [
        event.workflowId,
        snapshot.municipality,
        snapshot.budgetYear,
        snapshot.phaseId,
        snapshot.answeringBoardId,
        JSON.stringify(payload.content),
        event.occurredAt,
        eventId,
        event.runId ?? null,
        snapshot.seq,
      ],
    );
  }
  const lup = payload.lup as
    | {
        seq: number;
        municipality: string;
        budgetYear: number;
        boardId: string;
        stage: string;
        mainFocus?: string;
        dialogues: number;
        measures: number;
      }
    | undefined;
  if (!lup) return;
  await db.query(
    `INSERT INTO lup_status (workflow_id, municipality, budget_year, board_id, stage, main_focus, dialogues, measures,
       last_event_id, updated_at, run_id, last_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (workflow_id) DO UPDATE SET stage = EXCLUDED.stage, main_focus = EXCLUDED.main_focus,
       dialogues = EXCLUDED.dialogues, measures = EXCLUDED.measures, last_event_id = EXCLUDED.last_event_id,
       updated_at = EXCLUDED.updated_at, run_id = EXCLUDED.run_id, last_seq = EXCLUDED.last_seq
     WHERE lup_status.run_id IS DISTINCT FROM EXCLUDED.run_id OR lup_status.last_seq < EXCLUDED.last_seq`,
    [
      event.workflowId,
      lup.municipality,
      lup.budgetYear,
      lup.boardId,
      lup.stage,
      lup.mainFocus ?? null,
      lup.dialogues,
      lup.measures,
      eventId,
      event.occurredAt,
      event.runId ?? null,
      lup.seq,
    ],
  );
  const dialogue = payload.dialogue as
    | {
        id: string;
        question: string;
        forms: string[];
        roomForInfluence: string;
        invitedParties: string[];
        heldOn: string;
      }
    | undefined;
  if (event.kind === 'lup-dialogue-recorded' && dialogue) {
    await db.query(
      `INSERT INTO lup_dialogues (workflow_id, dialogue_id, municipality, budget_year, board_id, held_on, question, forms,
         room_for_influence, invited_parties)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
      [
        event.workflowId,
        dialogue.id,
        lup.municipality,
        lup.budgetYear,
        lup.boardId,
        dialogue.heldOn,
        dialogue.question,
        JSON.stringify(dialogue.forms),
        dialogue.roomForInfluence,
        JSON.stringify(dialogue.invitedParties),
      ],
    );
  }
}

/** Projects every content event of the audit log again, in order (after the tables were emptied). */
export async function rebuildContentProjections(db: Queryable): Promise<number> {
  await db.query('DELETE FROM submission_content');
  await db.query('DELETE FROM lup_status');
  await db.query('DELETE FROM lup_dialogues');
  const events = await db.query<{
    id: string;
    workflow_id: string;
    run_id: string | null;
    kind: string;
    occurred_at: Date;
    payload: Record<string, unknown>;
  }>(
    `SELECT id, workflow_id, run_id, kind, occurred_at, payload FROM audit_log
     WHERE (kind = 'submitted' AND payload ? 'content') OR payload ? 'lup' ORDER BY id`,
  );
  for (const e of events.rows) {
    await projectContent(db, e.id, {
      workflowId: e.workflow_id,
      ...(e.run_id && { runId: e.run_id }),
      kind: e.kind,
      occurredAt: e.occurred_at,
      payload: e.payload,
    });
  }
  return events.rows.length;
}
