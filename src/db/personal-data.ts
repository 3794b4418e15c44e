import type { Pool } from 'pg';
import { appendAuditEvent } from './audit-log';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { Queryable, withTransaction } from './database';
import { closeUnusableSessions, DEFAULT_SESSION_TIMEOUTS } from './sessions';

/**
 * What Årshjul holds about one person, and its removal (issue 13, personal data). Everything
 * else refers to a person by the id `p_…` (`person:p_…` in the audit log, drafts, comments), so
 * clearing the people row's name and e-mail pseudonymises the whole record without changing it.
 */

export const PERSON_ID_PATTERN = /^p_[a-z0-9]{12}$/;

export interface HeldPerson {
  id: string;
  issuer: string;
  subject: string;
  name: string | null;
  email: string | null;
  language: string;
  createdAt: string;
  lastSignInAt: string | null;
  erasedAt: string | null;
}

export interface HeldData {
  format: 'arshjul-personal-data/1';
  person: HeldPerson;
  memberships: {
    grant: string;
    source: string;
    validFrom: string;
    validTo: string | null;
  }[];
  /** Times only: the provider's tokens a live session holds are never shown. */
  sessions: {
    count: number;
    open: number;
    list: {
      createdAt: string;
      lastSeenAt: string;
      expiresAt: string;
      endedAt: string | null;
      endReason: string | null;
    }[];
  };
  /** Events where the person is the actor: kinds and times, not their payloads. */
  auditEvents: { kind: string; occurredAt: string; workflowId: string }[];
  drafts: { workflowId: string; path: string; savedAt: string }[];
  reviewComments: { workflowId: string; path: string; createdAt: string }[];
  /** Reports the person marked ready that wait for a sign-off. */
  awaitingSignOff: { workflowId: string; markedReadyAt: string }[];
  /** Tokens whose owner is the person. */
  tokensOwned: { id: string; label: string; createdAt: string; revokedAt: string | null }[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

interface PersonRow {
  id: string;
  issuer: string;
  subject: string;
  name: string | null;
  email: string | null;
  language: string;
  created_at: Date;
  last_sign_in_at: Date | null;
  erased_at: Date | null;
}

/** A person by id (`p_…`) or e-mail address (any case); undefined when none matches. */
export async function findHeldPerson(db: Queryable, idOrEmail: string): Promise<HeldPerson | undefined> {
  const byId = PERSON_ID_PATTERN.test(idOrEmail);
  const result = await db.query<PersonRow>(
    byId
      ? 'SELECT * FROM people WHERE id = $1'
      : 'SELECT * FROM people WHERE lower(email) = lower($1) ORDER BY last_sign_in_at DESC NULLS LAST LIMIT 1',
    [idOrEmail],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    issuer: row.issuer,
    subject: row.subject,
    name: row.name,
    email: row.email,
    language: row.language,
    createdAt: row.created_at.toISOString(),
    lastSignInAt: iso(row.last_sign_in_at),
    erasedAt: iso(row.erased_at),
  };
}

/** Everything held about one person, found by id or e-mail; undefined when none matches. */
export async function loadHeldData(db: Queryable, idOrEmail: string): Promise<HeldData | undefined> {
  const person = await findHeldPerson(db, idOrEmail);
  if (!person) return undefined;
  const actor = `person:${person.id}`;
  const [memberships, sessions, events, drafts, comments, signOffs, tokens] = await Promise.all([
    db.query<{
      grant_kind: string;
      board_id: string | null;
      duty: string | null;
      source: string;
      valid_from: Date;
      valid_to: Date | null;
    }>(
      `SELECT grant_kind, board_id, duty, source, valid_from, valid_to FROM memberships
       WHERE person_id = $1 ORDER BY valid_from, id`,
      [person.id],
    ),
    db.query<{
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      ended_at: Date | null;
      end_reason: string | null;
    }>(
      `SELECT created_at, last_seen_at, expires_at, ended_at, end_reason FROM sessions
       WHERE person_id = $1 ORDER BY created_at`,
      [person.id],
    ),
    db.query<{ kind: string; occurred_at: Date; workflow_id: string }>(
      `SELECT kind, occurred_at, workflow_id FROM audit_log WHERE actor = $1 ORDER BY occurred_at, id`,
      [actor],
    ),
    db.query<{ workflow_id: string; path: string; saved_at: Date }>(
      `SELECT workflow_id, path, saved_at FROM report_answers WHERE saved_by = $1 ORDER BY saved_at`,
      [actor],
    ),
    db.query<{ workflow_id: string; path: string; created_at: Date }>(
      `SELECT workflow_id, path, created_at FROM review_comments WHERE author = $1 ORDER BY created_at, id`,
      [actor],
    ),
    db.query<{ workflow_id: string; marked_ready_at: Date }>(
      `SELECT workflow_id, marked_ready_at FROM report_sign_offs WHERE marked_ready_by = $1 ORDER BY marked_ready_at`,
      [actor],
    ),
    db.query<{ id: string; label: string; created_at: Date; revoked_at: Date | null }>(
      `SELECT id, label, created_at, revoked_at FROM api_tokens WHERE owner = $1 ORDER BY created_at`,
      [person.id],
    ),
  ]);
  const now = Date.now();
  return {
    format: 'arshjul-personal-data/1',
    person,
    memberships: memberships.rows.map((m) => ({
      grant: m.grant_kind === 'board' ? `board:${m.board_id}:${m.duty}` : m.grant_kind,
      source: m.source,
      validFrom: m.valid_from.toISOString(),
      validTo: iso(m.valid_to),
    })),
    sessions: {
      count: sessions.rows.length,
      // Open: not ended, not past its absolute end, not idle past the idle time (which ends one too).
      open: sessions.rows.filter(
        (s) =>
          s.ended_at === null &&
          s.expires_at.getTime() > now &&
          s.last_seen_at.getTime() > now - DEFAULT_SESSION_TIMEOUTS.idleSeconds * 1000,
      ).length,
      list: sessions.rows.map((s) => ({
        createdAt: s.created_at.toISOString(),
        lastSeenAt: s.last_seen_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        endedAt: iso(s.ended_at),
        endReason: s.end_reason,
      })),
    },
    auditEvents: events.rows.map((e) => ({
      kind: e.kind,
      occurredAt: e.occurred_at.toISOString(),
      workflowId: e.workflow_id,
    })),
    drafts: drafts.rows.map((d) => ({ workflowId: d.workflow_id, path: d.path, savedAt: d.saved_at.toISOString() })),
    reviewComments: comments.rows.map((c) => ({
      workflowId: c.workflow_id,
      path: c.path,
      createdAt: c.created_at.toISOString(),
    })),
    awaitingSignOff: signOffs.rows.map((s) => ({
      workflowId: s.workflow_id,
      markedReadyAt: s.marked_ready_at.toISOString(),
    })),
    tokensOwned: tokens.rows.map((t) => ({
      id: t.id,
      label: t.label,
      createdAt: t.created_at.toISOString(),
      revokedAt: iso(t.revoked_at),
    })),
  };
}

/**
 * Pseudonymises the given people who are not erased yet, in the caller's transaction: name and
 * e-mail cleared, `erased_at` set, every session of theirs removed (it names the person's
 * subject and may hold the provider's tokens), one `person-erased` event each. The rows are
 * taken with a lock and the condition checked again after it, so two erasures at once erase a
 * person once. Returns the ids erased.
 */
async function eraseLocked(
  tx: Queryable,
  candidates: readonly string[],
  actor: string,
  reason: 'retention' | 'request',
  now: Date,
): Promise<string[]> {
  if (candidates.length === 0) return [];
  const erased = await tx.query<{ id: string }>(
    `UPDATE people SET name = NULL, email = NULL, erased_at = $2
     WHERE id = ANY ($1::text[]) AND erased_at IS NULL
     RETURNING id`,
    [candidates, now],
  );
  const ids = erased.rows.map((r) => r.id).sort();
  if (ids.length === 0) return [];
  await tx.query('DELETE FROM sessions WHERE person_id = ANY ($1::text[])', [ids]);
  for (const id of ids) {
    await appendAuditEvent(tx, {
      occurredAt: now,
      workflowId: `people/${id}`,
      kind: 'person-erased',
      actor,
      eventKey: `person-erased#${id}#${now.toISOString()}`,
      payload: { personId: id, reason },
    });
  }
  return ids;
}

/** Erases one person on request (SLK). False when the person was erased already. */
export async function erasePerson(pool: Pool, personId: string, actor: string, now = new Date()): Promise<boolean> {
  return withTransaction(pool, async (tx) => (await eraseLocked(tx, [personId], actor, 'request', now)).length === 1);
}

export interface PruneResult {
  /** People pseudonymised now. */
  erased: string[];
  /** Ended or expired sessions older than the retention, removed. */
  sessionsRemoved: number;
  /** Sessions no longer usable (ended, idle too long, past their absolute time) whose tokens were cleared. */
  tokensCleared: number;
}

/**
 * The retention rule: people with no membership in force (or ending within the retention), no
 * stand-in period not yet ended (named as a stand-in, or naming one: Stockholm's date at `now`)
 * and no sign-in for `retentionDays` are pseudonymised; sessions that ended (or expired) longer
 * ago are removed; a session that ended, sat idle for `idleSeconds` (default: the sessions' idle
 * hour) or passed its absolute time keeps no provider tokens. Safe to run at once from several
 * processes: each person is erased by one of them.
 */
export async function prunePersonalData(
  pool: Pool,
  options: { retentionDays: number; actor: string; now?: Date; idleSeconds?: number },
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const today = localDateOf(now, MUNICIPALITY_TIME_ZONE);
  const idleSeconds = options.idleSeconds ?? DEFAULT_SESSION_TIMEOUTS.idleSeconds;
  return withTransaction(pool, async (tx) => {
    // SKIP LOCKED: a person another prune (or a sign-in) holds is theirs; the UPDATE's own
    // `erased_at IS NULL` covers the one that committed before this transaction looked.
    const candidates = await tx.query<{ id: string }>(
      `SELECT p.id FROM people p
       WHERE p.erased_at IS NULL
         AND coalesce(p.last_sign_in_at, p.created_at) < $1
         AND NOT EXISTS (
           SELECT 1 FROM memberships m
           WHERE m.person_id = p.id AND (m.valid_to IS NULL OR m.valid_to > $1))
         AND NOT EXISTS (
           SELECT 1 FROM stand_ins s
           WHERE (s.person_id = p.id OR s.stand_in_id = p.id) AND s.valid_to >= $2::date)
       ORDER BY p.id
       FOR UPDATE SKIP LOCKED`,
      [cutoff, today],
    );
    const erased = await eraseLocked(
      tx,
      candidates.rows.map((r) => r.id),
      options.actor,
      'retention',
      now,
    );
    const removed = await tx.query('DELETE FROM sessions WHERE coalesce(ended_at, expires_at) < $1', [cutoff]);
    const cleared = await closeUnusableSessions(
      tx,
      'id_token IS NOT NULL OR refresh_token IS NOT NULL',
      [],
      now,
      idleSeconds,
    );
    return { erased, sessionsRemoved: removed.rowCount ?? 0, tokensCleared: cleared.rowCount ?? 0 };
  });
}
