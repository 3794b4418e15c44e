import type { CitizenDialogue, Consultation, DialoguePart, LupSnapshot } from '../domain/lup-state';
import { Queryable } from './database';
import type { DeliverableSnapshot } from './read-model';

/** Whether projectContent has anything to project from an event (what the rebuild selects). */
export function carriesContent(event: { kind: string; payload?: Record<string, unknown> }): boolean {
  const payload = event.payload ?? {};
  return (event.kind === 'submitted' && payload.content !== undefined) || payload.lup !== undefined;
}

/**
 * Projections of the guidelines' content from audit events, in the transaction that appends
 * them: the latest submitted content per deliverable, each district's programme (its versions,
 * measures, dialogues and consultations).
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
  const lup = payload.lup as LupSnapshot | undefined;
  if (!lup) return;
  await projectProgramme(db, eventId, event, lup);
  if (event.kind === 'lup-dialogue-recorded' && payload.dialogue) {
    const d = payload.dialogue as CitizenDialogue & { boardId: string };
    await db.query(
      `INSERT INTO lup_dialogues (workflow_id, dialogue_id, municipality, board_id, held_on, need, question, forms,
         room_for_influence, participants, outcome, feedback, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        event.workflowId,
        d.id,
        lup.municipality,
        d.boardId,
        d.heldOn,
        d.need,
        d.question,
        JSON.stringify(d.forms),
        d.roomForInfluence,
        JSON.stringify(d.participants),
        d.outcome ?? null,
        d.feedback ?? null,
        d.by,
      ],
    );
  }
  if (event.kind === 'lup-consultation-recorded' && payload.consultation) {
    const c = payload.consultation as Consultation & { boardId: string };
    await db.query(
      `INSERT INTO lup_consultations (workflow_id, consultation_id, municipality, board_id, with_board_id, held_on, said,
         recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [event.workflowId, c.id, lup.municipality, c.boardId, c.withBoardId, c.heldOn, c.said, c.by],
    );
  }
  if (event.kind === 'lup-dialogue-part-recorded' && payload.part) {
    const p = payload.part as DialoguePart;
    await db.query(
      `INSERT INTO lup_dialogue_parts (workflow_id, dialogue_id, position, municipality, dialogue_board_id,
         part_board_id, contribution, recorded_by, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        event.workflowId,
        payload.dialogueId,
        payload.position,
        lup.municipality,
        payload.dialogueBoardId,
        p.boardId,
        p.contribution,
        p.by,
        p.recordedAt,
      ],
    );
  }
}

/**
 * The programme's row, its versions and its measures from the snapshot an event carries; only a
 * newer snapshot (a higher sequence number: it is carried across continue-as-new) replaces it.
 * A successor that received a predecessor's dialogues and consultations gets them from its own
 * `lup-received` event's snapshot counts; the rows themselves stay under the predecessor's workflow.
 */
async function projectProgramme(
  db: Queryable,
  eventId: string,
  event: { workflowId: string; occurredAt: Date },
  lup: LupSnapshot,
): Promise<void> {
  const p = lup.programme;
  const applied = await db.query(
    `INSERT INTO lup_programmes (workflow_id, municipality, board_id, stage, handed_over_to, programme_number,
       adopted_on, reference, adopted_in_year, version, replaced, main_focus, dialogues, consultations, follow_ups,
       last_event_id, last_seq, updated_at, registered_on, period_from, period_to)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     ON CONFLICT (workflow_id) DO UPDATE SET board_id = EXCLUDED.board_id, stage = EXCLUDED.stage,
       handed_over_to = EXCLUDED.handed_over_to, programme_number = EXCLUDED.programme_number,
       adopted_on = EXCLUDED.adopted_on, reference = EXCLUDED.reference, adopted_in_year = EXCLUDED.adopted_in_year,
       registered_on = EXCLUDED.registered_on, period_from = EXCLUDED.period_from, period_to = EXCLUDED.period_to,
       version = EXCLUDED.version, replaced = EXCLUDED.replaced, main_focus = EXCLUDED.main_focus,
       dialogues = EXCLUDED.dialogues, consultations = EXCLUDED.consultations, follow_ups = EXCLUDED.follow_ups,
       last_event_id = EXCLUDED.last_event_id, last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at
     WHERE lup_programmes.last_seq < EXCLUDED.last_seq`,
    [
      event.workflowId,
      lup.municipality,
      lup.boardId,
      lup.stage,
      lup.handedOverTo ?? null,
      p?.number ?? null,
      p?.adoptedOn ?? null,
      p?.reference ?? null,
      p?.budgetYear ?? null,
      p ? p.versions.at(-1)!.version : null,
      JSON.stringify(lup.replaced),
      JSON.stringify(lup.mainFocus),
      lup.dialogues,
      lup.consultations,
      JSON.stringify(lup.followUps),
      eventId,
      lup.seq,
      event.occurredAt,
      p?.registered?.on ?? null,
      p?.period?.from ?? null,
      p?.period?.to ?? null,
    ],
  );
  // An older snapshot than the one projected: its measures and versions are older too.
  if (applied.rowCount === 0 || !p) return;
  for (const v of p.versions) {
    await db.query(
      `INSERT INTO lup_programme_versions (workflow_id, programme_number, version, board_id, on_date, recorded_by,
         reference, reason, added, changed, ended)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [
        event.workflowId,
        p.number,
        v.version,
        lup.boardId,
        v.on,
        v.by,
        v.reference ?? null,
        v.reason,
        JSON.stringify(v.added),
        JSON.stringify(v.changed),
        JSON.stringify(v.ended),
      ],
    );
  }
  await db.query('DELETE FROM lup_measures WHERE workflow_id = $1 AND programme_number = $2', [
    event.workflowId,
    p.number,
  ]);
  for (const [position, m] of p.measures.entries()) {
    await db.query(
      `INSERT INTO lup_measures (workflow_id, programme_number, measure_id, position, board_id, title, owner_id, goal,
         indicators, cost, larger, priority_area, status, status_history)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        event.workflowId,
        p.number,
        m.id,
        position,
        lup.boardId,
        m.title,
        m.ownerId,
        m.goal ?? null,
        JSON.stringify(m.indicators),
        m.cost ?? null,
        m.larger,
        m.priorityArea ?? null,
        m.status,
        JSON.stringify(m.statusHistory),
      ],
    );
  }
}

/** Projects every content event of the audit log again, in order (after the tables were emptied). */
export async function rebuildContentProjections(db: Queryable): Promise<number> {
  await db.query('DELETE FROM submission_content');
  for (const table of [
    'lup_programmes',
    'lup_programme_versions',
    'lup_measures',
    'lup_dialogues',
    'lup_consultations',
    'lup_dialogue_parts',
  ]) {
    await db.query(`DELETE FROM ${table}`);
  }
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
