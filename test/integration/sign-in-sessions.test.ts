import { createSessionPrincipals } from '../../src/client/http/sign-in/session-principal';
import { createRelyingParty, RelyingParty } from '../../src/client/sign-in/openid-relying-party';
import {
  claimClaimsCheck,
  createSession,
  endSession,
  endSessionIfRecheckOverdue,
  endSessionsOfPerson,
  hashSessionSecret,
  insertSignInAttempt,
  recordClaimsCheck,
  resumeSession,
  takeSignInAttempt,
} from '../../src/db/sessions';
import { freePort } from '../../src/stack/free-port';
import { createTestDatabase, TestDatabase } from '../helpers/database';

const TIMEOUTS = { idleSeconds: 1800, absoluteSeconds: 36_000 };

describe('sign-in sessions in PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sessions');
  });
  afterAll(async () => db.drop());

  const start = (personId = 'p_anna', refreshToken = 'rt-1') =>
    createSession(
      db.pool,
      { personId, issuer: 'http://127.0.0.1:1/', subject: `sub-${personId}`, idToken: 'id-1', refreshToken },
      TIMEOUTS,
    );
  const age = async (secret: string, column: string, seconds: number) =>
    db.pool.query(`UPDATE sessions SET ${column} = ${column} - make_interval(secs => $2) WHERE id_hash = $1`, [
      hashSessionSecret(secret),
      seconds,
    ]);

  it('opens a session by its secret, and by nothing else', async () => {
    const secret = await start();
    expect(secret).toMatch(/^arshjul_s_[A-Za-z0-9_-]{43}$/);
    const session = await resumeSession(db.pool, secret, TIMEOUTS);
    expect(session).toMatchObject({ personId: 'p_anna', issuer: 'http://127.0.0.1:1/', subject: 'sub-p_anna' });
    // One character changed (a secret ends in `A` one time in sixteen: then another letter).
    const changed = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'Q' : 'A'}`;
    expect(await resumeSession(db.pool, changed, TIMEOUTS)).toBeUndefined();
    expect(await resumeSession(db.pool, 'arshjul_s_short', TIMEOUTS)).toBeUndefined();
    // Only the hash is stored: no column of any session holds the secret.
    const stored = await db.pool.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM sessions s WHERE s::text LIKE '%' || $1 || '%'`,
      [secret],
    );
    expect(stored.rows[0]!.n).toBe(0);
  });

  it('ends a session left idle too long, and one past its absolute time however busy', async () => {
    const idle = await start();
    await age(idle, 'last_seen_at', TIMEOUTS.idleSeconds + 1);
    expect(await resumeSession(db.pool, idle, TIMEOUTS)).toBeUndefined();

    const busy = await start();
    await age(busy, 'expires_at', TIMEOUTS.absoluteSeconds + 1);
    expect(await resumeSession(db.pool, busy, TIMEOUTS)).toBeUndefined();
  });

  it('keeps no provider tokens of a session found idle or expired, and takes none from one in use', async () => {
    const tokens = async (secret: string) =>
      (
        await db.pool.query('SELECT id_token, refresh_token FROM sessions WHERE id_hash = $1', [
          hashSessionSecret(secret),
        ])
      ).rows[0];
    const idle = await start('p_idle', 'rt-idle');
    const busy = await start('p_busy', 'rt-busy');
    const live = await start('p_live', 'rt-live');
    await age(idle, 'last_seen_at', TIMEOUTS.idleSeconds + 1);
    await age(busy, 'expires_at', TIMEOUTS.absoluteSeconds + 1);
    await age(live, 'last_seen_at', TIMEOUTS.idleSeconds - 60);
    expect(await resumeSession(db.pool, idle, TIMEOUTS)).toBeUndefined();
    expect(await resumeSession(db.pool, busy, TIMEOUTS)).toBeUndefined();
    expect(await resumeSession(db.pool, live, TIMEOUTS)).toMatchObject({ personId: 'p_live' });
    expect(await tokens(idle)).toEqual({ id_token: null, refresh_token: null });
    expect(await tokens(busy)).toEqual({ id_token: null, refresh_token: null });
    expect(await tokens(live)).toEqual({ id_token: 'id-1', refresh_token: 'rt-live' });

    // Their end is recorded as it came: an idle hour after the last use, or at the absolute end.
    const ends = await db.pool.query<{ person_id: string; end_reason: string | null; at_its_moment: boolean | null }>(
      `SELECT person_id, end_reason,
              ended_at = least(expires_at, last_seen_at + make_interval(secs => $1)) AS at_its_moment
         FROM sessions WHERE person_id IN ('p_idle', 'p_busy', 'p_live') ORDER BY person_id`,
      [TIMEOUTS.idleSeconds],
    );
    expect(ends.rows).toEqual([
      { person_id: 'p_busy', end_reason: 'expired', at_its_moment: true },
      { person_id: 'p_idle', end_reason: 'idle', at_its_moment: true },
      { person_id: 'p_live', end_reason: null, at_its_moment: null },
    ]);
  });

  it('records use at most once per resolution, once between concurrent requests', async () => {
    const secret = await start();
    const hash = hashSessionSecret(secret);
    const version = async () =>
      (await db.pool.query<{ xmin: string }>('SELECT xmin::text FROM sessions WHERE id_hash = $1', [hash])).rows[0]!
        .xmin;
    await age(secret, 'last_seen_at', 120);
    const stale = await version();
    const seen = await Promise.all(Array.from({ length: 8 }, () => resumeSession(db.pool, secret, TIMEOUTS)));
    expect(seen.every((s) => s?.personId === 'p_anna')).toBe(true);
    const touched = await version();
    expect(touched).not.toBe(stale);
    const after = await db.pool.query<{ recent: boolean }>(
      `SELECT last_seen_at > now() - interval '10 seconds' AS recent FROM sessions WHERE id_hash = $1`,
      [hash],
    );
    expect(after.rows[0]!.recent).toBe(true);
    // Within the resolution a request reads and writes nothing: the row version stays.
    await resumeSession(db.pool, secret, TIMEOUTS);
    expect(await version()).toBe(touched);
  });

  it('signs out once when two sign-outs race, and the session never opens again', async () => {
    const secret = await start();
    const hash = hashSessionSecret(secret);
    const ended = await Promise.all([endSession(db.pool, hash, 'signed-out'), endSession(db.pool, hash, 'signed-out')]);
    expect(ended.filter((e) => e !== undefined)).toEqual([{ idToken: 'id-1', personId: 'p_anna' }]);
    expect(await resumeSession(db.pool, secret, TIMEOUTS)).toBeUndefined();
    const row = await db.pool.query('SELECT id_token, refresh_token, end_reason FROM sessions WHERE id_hash = $1', [
      hash,
    ]);
    expect(row.rows[0]).toEqual({ id_token: null, refresh_token: null, end_reason: 'signed-out' });
  });

  it('lets one of many concurrent requests re-check the groups, and none before the interval', async () => {
    const secret = await start('p_bo', 'rt-bo');
    const hash = hashSessionSecret(secret);
    expect(await claimClaimsCheck(db.pool, hash, 60)).toBeUndefined();
    await age(secret, 'claims_checked_at', 61);
    const claims = await Promise.all(Array.from({ length: 10 }, () => claimClaimsCheck(db.pool, hash, 60)));
    expect(claims.filter((c) => c !== undefined)).toEqual([{ refreshToken: 'rt-bo' }]);
    await recordClaimsCheck(db.pool, hash, 'rt-bo-2');
    expect(await claimClaimsCheck(db.pool, hash, 60)).toBeUndefined();
    await age(secret, 'claims_checked_at', 61);
    expect(await claimClaimsCheck(db.pool, hash, 60)).toEqual({ refreshToken: 'rt-bo-2' });
  });

  it("ends every open session of a person, and nobody else's", async () => {
    const [a, b, other] = [await start('p_cia'), await start('p_cia'), await start('p_dan')];
    expect(await endSessionsOfPerson(db.pool, 'p_cia', 'role-lost')).toBe(2);
    expect(await resumeSession(db.pool, a, TIMEOUTS)).toBeUndefined();
    expect(await resumeSession(db.pool, b, TIMEOUTS)).toBeUndefined();
    expect(await resumeSession(db.pool, other, TIMEOUTS)).toMatchObject({ personId: 'p_dan' });
  });

  it('takes a sign-in under way once, and never a stale one', async () => {
    const attempt = { state: 'state-1', codeVerifier: 'verifier-1', nonce: 'nonce-1', returnTo: '/oversikt/2027' };
    await insertSignInAttempt(db.pool, attempt);
    const taken = await Promise.all([
      takeSignInAttempt(db.pool, 'state-1', 600),
      takeSignInAttempt(db.pool, 'state-1', 600),
    ]);
    expect(taken.filter((t) => t !== undefined)).toEqual([
      { codeVerifier: 'verifier-1', nonce: 'nonce-1', returnTo: '/oversikt/2027' },
    ]);

    await insertSignInAttempt(db.pool, { ...attempt, state: 'state-old' });
    await db.pool.query(`UPDATE sign_in_attempts SET created_at = now() - interval '11 minutes'`);
    expect(await takeSignInAttempt(db.pool, 'state-old', 600)).toBeUndefined();
    expect((await db.pool.query('SELECT * FROM sign_in_attempts')).rowCount).toBe(0);
  });

  describe('a provider that does not answer the re-check', () => {
    const GRACE_SECONDS = 900;
    let rechecks = 0;
    let relyingParty: RelyingParty;
    beforeAll(async () => {
      // An issuer on a port nobody listens on: every re-check fails to reach the provider.
      const closed = `http://127.0.0.1:${await freePort()}/`;
      const real = createRelyingParty({
        issuer: closed,
        clientId: 'arshjul',
        clientSecret: 'sessions-test-secret-0123456789',
        redirectUrl: 'http://127.0.0.1:1/logga-in/klar',
        postLogoutRedirectUrl: 'http://127.0.0.1:1/logga-in',
        groupsClaim: 'groups',
      });
      relyingParty = {
        ...real,
        recheck: (refreshToken, subject) => {
          rechecks += 1;
          return real.recheck(refreshToken, subject);
        },
      };
    });
    const principals = (recheckGraceSeconds = GRACE_SECONDS) =>
      createSessionPrincipals({
        pool: db.pool,
        relyingParty,
        timeouts: TIMEOUTS,
        recheckSeconds: 60,
        recheckGraceSeconds,
        signedIn: () => Promise.reject(new Error('the provider never answers here')),
        principalOf: (personId) => Promise.resolve({ kind: 'person', personId, grants: [{ kind: 'committee' }] }),
      });
    const stored = async (secret: string) =>
      (
        await db.pool.query(
          `SELECT end_reason, refresh_token, claims_check_pending_since IS NOT NULL AS pending
           FROM sessions WHERE id_hash = $1`,
          [hashSessionSecret(secret)],
        )
      ).rows[0];

    it('goes on with the groups known within the grace, then ends the session', async () => {
      const sessions = principals();
      const secret = await start('p_eva', 'rt-eva');
      await age(secret, 'claims_checked_at', 61);
      rechecks = 0;
      expect(await sessions.principalOf(secret)).toMatchObject({ personId: 'p_eva' });
      expect(rechecks).toBe(1);
      expect(await stored(secret)).toEqual({ end_reason: null, refresh_token: 'rt-eva', pending: true });

      // Asked again (the claim ran out) within the grace: still not answered, still goes on.
      await db.pool.query('UPDATE sessions SET claims_check_claimed_until = NULL WHERE id_hash = $1', [
        hashSessionSecret(secret),
      ]);
      await age(secret, 'claims_check_pending_since', GRACE_SECONDS - 60);
      expect(await sessions.principalOf(secret)).toMatchObject({ personId: 'p_eva' });
      expect(rechecks).toBe(2);

      // Past the grace, many requests at once: one asks the provider, and the session ends.
      await db.pool.query('UPDATE sessions SET claims_check_claimed_until = NULL WHERE id_hash = $1', [
        hashSessionSecret(secret),
      ]);
      await age(secret, 'claims_check_pending_since', 61);
      await Promise.all(Array.from({ length: 6 }, () => sessions.principalOf(secret)));
      expect(rechecks).toBe(3);
      expect(await sessions.principalOf(secret)).toBeUndefined();
      expect(await stored(secret)).toEqual({ end_reason: 'provider-unreachable', refresh_token: null, pending: true });
    });

    it('sends the person to sign in again once the grace has passed in real time', async () => {
      const sessions = principals(1);
      const secret = await start('p_hans', 'rt-hans');
      const hash = hashSessionSecret(secret);
      const due = () =>
        db.pool.query(
          `UPDATE sessions SET claims_checked_at = now() - interval '61 seconds', claims_check_claimed_until = NULL
           WHERE id_hash = $1`,
          [hash],
        );
      await due();
      expect(await sessions.principalOf(secret)).toMatchObject({ personId: 'p_hans' });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await due();
      expect(await sessions.principalOf(secret)).toBeUndefined();
      const row = await db.pool.query('SELECT end_reason, id_token, refresh_token FROM sessions WHERE id_hash = $1', [
        hash,
      ]);
      expect(row.rows[0]).toEqual({ end_reason: 'provider-unreachable', id_token: null, refresh_token: null });
    });

    it('lets a re-check that succeeds after the session was given up on through no more', async () => {
      const secret = await start('p_fia', 'rt-fia');
      const hash = hashSessionSecret(secret);
      await age(secret, 'claims_checked_at', 61);
      expect(await claimClaimsCheck(db.pool, hash, 60)).toEqual({ refreshToken: 'rt-fia' });
      expect(await endSessionIfRecheckOverdue(db.pool, hash, GRACE_SECONDS)).toBe(true);
      await age(secret, 'claims_check_pending_since', GRACE_SECONDS);
      const [usable, recorded] = await Promise.all([
        endSessionIfRecheckOverdue(db.pool, hash, GRACE_SECONDS),
        recordClaimsCheck(db.pool, hash, 'rt-fia-2'),
      ]);
      // Either order, one outcome both sides agree on: ended and not recorded, or recorded and open.
      expect(usable).toBe(recorded);
      const row = await stored(secret);
      expect(row.end_reason).toBe(recorded ? null : 'provider-unreachable');
      expect(await resumeSession(db.pool, secret, TIMEOUTS)).toEqual(recorded ? expect.anything() : undefined);
    });

    it('starts the grace anew after a re-check that succeeds', async () => {
      const secret = await start('p_gun', 'rt-gun');
      const hash = hashSessionSecret(secret);
      await age(secret, 'claims_checked_at', 61);
      await claimClaimsCheck(db.pool, hash, 60);
      await age(secret, 'claims_check_pending_since', GRACE_SECONDS - 1);
      expect(await recordClaimsCheck(db.pool, hash, null)).toBe(true);
      expect(await stored(secret)).toEqual({ end_reason: null, refresh_token: 'rt-gun', pending: false });
      expect(await endSessionIfRecheckOverdue(db.pool, hash, GRACE_SECONDS)).toBe(true);
    });
  });
});
