import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { Queryable, withTransaction } from './database';

/**
 * Sign-in sessions in PostgreSQL (issue 13), shared by every API process: a session started
 * through one is seen by the others, and ends everywhere at once. The cookie holds a secret with
 * 256 random bits; the table keeps its SHA-256 hash, so a leaked table opens no session.
 */

const SESSION_PREFIX = 'arshjul_s_';
const SESSION_PATTERN = /^arshjul_s_[A-Za-z0-9_-]{43}$/;
/** last_seen_at is written at most this often, so a busy page does not cost a write per request. */
const SEEN_RESOLUTION_SECONDS = 30;
/** How long one request may hold the right to re-check a session's groups at the provider. */
const CLAIMS_CHECK_WINDOW_SECONDS = 30;

export type SessionEndReason =
  | 'signed-out'
  | 'role-lost'
  | 'provider-refused'
  | 'provider-unreachable'
  | 'ended-by-admin'
  /** Recorded once found: it sat idle past the idle time, or passed its absolute end. */
  | 'idle'
  | 'expired';

export interface SessionTimeouts {
  /** Ends a session nobody used for this long. */
  idleSeconds: number;
  /** Ends a session this long after sign-in, used or not. */
  absoluteSeconds: number;
}

/**
 * A working day with a long lunch: an idle hour ends a session, twelve hours end any. Here (not
 * with the sign-in routes) because the worker's prune needs the idle time too.
 */
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { idleSeconds: 60 * 60, absoluteSeconds: 12 * 60 * 60 };

export interface ActiveSession {
  idHash: Buffer;
  personId: string;
  issuer: string;
  subject: string;
  createdAt: Date;
  expiresAt: Date;
  claimsCheckedAt: Date;
}

export function hashSessionSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A `state` (or any one-time value) as stored: its hash, never the value the browser carries. */
export const hashState = hashSessionSecret;

/** Remembers a sign-in under way until the provider sends the browser back. */
export async function insertSignInAttempt(
  db: Queryable,
  attempt: { state: string; codeVerifier: string; nonce: string; returnTo: string },
): Promise<void> {
  await db.query(`INSERT INTO sign_in_attempts (state_hash, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)`, [
    hashState(attempt.state),
    attempt.codeVerifier,
    attempt.nonce,
    attempt.returnTo,
  ]);
}

/**
 * Takes a sign-in under way by its state, once: undefined when the state is unknown, was taken
 * already or is older than `maxAgeSeconds`. Attempts older than that are removed on the way.
 */
export async function takeSignInAttempt(
  db: Queryable,
  state: string,
  maxAgeSeconds: number,
): Promise<{ codeVerifier: string; nonce: string; returnTo: string } | undefined> {
  const result = await db.query<{ code_verifier: string; nonce: string; return_to: string; fresh: boolean }>(
    `WITH taken AS (
       DELETE FROM sign_in_attempts
       WHERE state_hash = $1 OR created_at < now() - make_interval(secs => $2)
       RETURNING state_hash, code_verifier, nonce, return_to, created_at >= now() - make_interval(secs => $2) AS fresh
     )
     SELECT code_verifier, nonce, return_to, fresh FROM taken WHERE state_hash = $1`,
    [hashState(state), maxAgeSeconds],
  );
  const row = result.rows[0];
  if (!row?.fresh) return undefined;
  return { codeVerifier: row.code_verifier, nonce: row.nonce, returnTo: row.return_to };
}

/** Starts a session; returns the secret for the cookie (the only time it exists outside it). */
export async function createSession(
  db: Queryable,
  session: { personId: string; issuer: string; subject: string; idToken?: string; refreshToken?: string },
  timeouts: SessionTimeouts,
): Promise<string> {
  const secret = SESSION_PREFIX + randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO sessions (id_hash, person_id, issuer, subject, id_token, refresh_token, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [
      hashSessionSecret(secret),
      session.personId,
      session.issuer,
      session.subject,
      session.idToken ?? null,
      session.refreshToken ?? null,
      timeouts.absoluteSeconds,
    ],
  );
  return secret;
}

interface SessionRow {
  id_hash: Buffer;
  person_id: string;
  issuer: string;
  subject: string;
  created_at: Date;
  expires_at: Date;
  claims_checked_at: Date;
  seen_stale: boolean;
}

/**
 * The session a cookie's secret opens, or undefined when the secret is malformed or unknown, or
 * the session ended, passed its absolute time or sat idle too long. Use is recorded at most once
 * per {@link SEEN_RESOLUTION_SECONDS}, by a conditional write, so concurrent requests write once.
 * A session found unusable loses the provider's tokens it still held (an idle one keeps its row
 * until the prune, but nothing can use its tokens any more).
 */
export async function resumeSession(
  db: Queryable,
  secret: string,
  timeouts: Pick<SessionTimeouts, 'idleSeconds'>,
): Promise<ActiveSession | undefined> {
  if (typeof secret !== 'string' || !SESSION_PATTERN.test(secret)) return undefined;
  const idHash = hashSessionSecret(secret);
  const result = await db.query<SessionRow>(
    `SELECT id_hash, person_id, issuer, subject, created_at, expires_at, claims_checked_at,
            last_seen_at < now() - make_interval(secs => $3) AS seen_stale
     FROM sessions
     WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > now()
       AND last_seen_at > now() - make_interval(secs => $2)`,
    [idHash, timeouts.idleSeconds, SEEN_RESOLUTION_SECONDS],
  );
  const row = result.rows[0];
  if (!row) {
    await clearTokensOfUnusable(db, idHash, timeouts.idleSeconds);
    return undefined;
  }
  if (row.seen_stale) {
    await db.query(
      `UPDATE sessions SET last_seen_at = now()
       WHERE id_hash = $1 AND last_seen_at < now() - make_interval(secs => $2)`,
      [idHash, SEEN_RESOLUTION_SECONDS],
    );
  }
  return {
    idHash: row.id_hash,
    personId: row.person_id,
    issuer: row.issuer,
    subject: row.subject,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    claimsCheckedAt: row.claims_checked_at,
  };
}

/**
 * Which sessions can no longer be used: ended, past their absolute time, or idle too long. One
 * condition for {@link resumeSession} and the prune, so that they agree; `now` and `idle` are
 * the SQL for the moment and the idle seconds. Idle expiry cannot be undone (nothing touches a
 * session found idle), so clearing on this condition never takes tokens from a session in use.
 */
export const unusableSession = (now: string, idle: string): string =>
  `(ended_at IS NOT NULL OR expires_at <= ${now} OR last_seen_at <= ${now} - make_interval(secs => ${idle}))`;

/**
 * A session that can no longer be used, closed as such: the provider's tokens cleared, and its end
 * recorded at the moment it really came (its idle time run out, or its absolute end) with the
 * reason, so that what is kept about a person shows it ended. `where` narrows the sessions
 * (SQL over the parameters from $3 on); `now` and `idle` as in {@link unusableSession}.
 */
export function closeUnusableSessions(
  db: Queryable,
  where: string,
  params: unknown[],
  now: Date | string,
  idleSeconds: number,
): Promise<{ rowCount: number | null }> {
  const idleEnd = 'last_seen_at + make_interval(secs => $2)';
  return db.query(
    `UPDATE sessions SET id_token = NULL, refresh_token = NULL,
            ended_at = coalesce(ended_at, least(expires_at, ${idleEnd})),
            end_reason = coalesce(end_reason, CASE WHEN expires_at <= ${idleEnd} THEN 'expired' ELSE 'idle' END)
      WHERE ${unusableSession('$1::timestamptz', '$2')}
        AND (id_token IS NOT NULL OR refresh_token IS NOT NULL OR ended_at IS NULL) AND (${where})`,
    [now, idleSeconds, ...params],
  );
}

/** Closes one session that can no longer be used (a no-op for any other). */
async function clearTokensOfUnusable(db: Queryable, idHash: Buffer, idleSeconds: number): Promise<void> {
  await closeUnusableSessions(db, 'id_hash = $3', [idHash], 'now', idleSeconds);
}

/**
 * Claims the right to re-check a session's groups at the provider when the last check is older
 * than `recheckSeconds`: the refresh token for the one request that won, undefined for every
 * other (they go on with the groups known, for at most the claim window longer). The first claim
 * after a successful check marks the check pending from then on.
 */
export async function claimClaimsCheck(
  db: Queryable,
  idHash: Buffer,
  recheckSeconds: number,
): Promise<{ refreshToken: string | null } | undefined> {
  const result = await db.query<{ refresh_token: string | null }>(
    `UPDATE sessions SET claims_check_claimed_until = now() + make_interval(secs => $3),
            claims_check_pending_since = coalesce(claims_check_pending_since, now())
     WHERE id_hash = $1 AND ended_at IS NULL
       AND claims_checked_at < now() - make_interval(secs => $2)
       AND (claims_check_claimed_until IS NULL OR claims_check_claimed_until < now())
     RETURNING refresh_token`,
    [idHash, recheckSeconds, CLAIMS_CHECK_WINDOW_SECONDS],
  );
  return result.rows[0] ? { refreshToken: result.rows[0].refresh_token } : undefined;
}

/**
 * Records a successful re-check, with the refresh token the provider handed back (rotated or not).
 * False when the session ended meanwhile (signed out, or given up on while the provider took its
 * time): the request that checked must not go on with it either.
 */
export async function recordClaimsCheck(db: Queryable, idHash: Buffer, refreshToken: string | null): Promise<boolean> {
  const result = await db.query(
    `UPDATE sessions SET claims_checked_at = now(), claims_check_claimed_until = NULL,
            claims_check_pending_since = NULL, refresh_token = COALESCE($2, refresh_token)
     WHERE id_hash = $1 AND ended_at IS NULL`,
    [idHash, refreshToken],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Ends a session whose re-check has been pending longer than `graceSeconds` (the provider did not
 * answer), as `provider-unreachable`. Decided under the session's row lock on what is stored
 * then, so concurrent requests agree with each other and with a re-check that succeeds at the same
 * moment: true when the session can still be used (not ended, not overdue), false otherwise.
 */
export async function endSessionIfRecheckOverdue(pool: Pool, idHash: Buffer, graceSeconds: number): Promise<boolean> {
  return withTransaction(pool, async (tx) => {
    const result = await tx.query<{ open: boolean; overdue: boolean }>(
      `SELECT ended_at IS NULL AS open,
              coalesce(claims_check_pending_since <= now() - make_interval(secs => $2), false) AS overdue
       FROM sessions WHERE id_hash = $1 FOR UPDATE`,
      [idHash, graceSeconds],
    );
    const row = result.rows[0];
    if (!row?.open) return false;
    if (!row.overdue) return true;
    await tx.query(
      `UPDATE sessions SET ended_at = now(), end_reason = 'provider-unreachable', id_token = NULL, refresh_token = NULL,
              claims_check_claimed_until = NULL
       WHERE id_hash = $1`,
      [idHash],
    );
    return false;
  });
}

/**
 * Ends a session, clearing the provider's tokens it held; the ID token comes back once, as the
 * hint for signing out at the provider. Undefined when the session had ended already.
 */
export async function endSession(
  db: Queryable,
  idHash: Buffer,
  reason: SessionEndReason,
): Promise<{ idToken: string | null; personId: string } | undefined> {
  const result = await db.query<{ id_token: string | null; person_id: string }>(
    `UPDATE sessions s SET ended_at = now(), end_reason = $2, id_token = NULL, refresh_token = NULL
     FROM (SELECT id_hash, id_token FROM sessions WHERE id_hash = $1 AND ended_at IS NULL FOR UPDATE) old
     WHERE s.id_hash = old.id_hash
     RETURNING old.id_token, s.person_id`,
    [idHash, reason],
  );
  const row = result.rows[0];
  return row ? { idToken: row.id_token, personId: row.person_id } : undefined;
}

/** Ends every open session of one person (memberships revoked, person removed); returns how many. */
export async function endSessionsOfPerson(db: Queryable, personId: string, reason: SessionEndReason): Promise<number> {
  const result = await db.query(
    `UPDATE sessions SET ended_at = now(), end_reason = $2, id_token = NULL, refresh_token = NULL
     WHERE person_id = $1 AND ended_at IS NULL`,
    [personId, reason],
  );
  return result.rowCount ?? 0;
}
