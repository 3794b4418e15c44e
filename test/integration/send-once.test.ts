import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createActivities, SendNotificationInput } from '../../src/activities';
import { systemClock } from '../../src/activities/ports';
import { PlannedMail, SendInProgress, sendOnce, SendOnceResult } from '../../src/activities/send-once';
import { appendAuditEvent, AuditEvent, listAuditEvents } from '../../src/db/audit-log';
import { createBatcher } from '../../src/db/batcher';
import { withTransaction } from '../../src/db/database';
import type { DeliverableSnapshot } from '../../src/db/read-model';
import { LeaseRequest, leaseFreeSends, listSends, markSentWithEvents, SentOutcome } from '../../src/db/send-log';
import type { SmtpSink } from '../../src/stack/smtp-sink';
import type { SmtpMailer } from '../../src/worker/mail-transport';
import type { TestDatabase } from '../helpers/database';
import { startOutbox, stopOutbox, testSnapshot } from '../helpers/outbox';

/**
 * The outbox's hot path (issue 16) over PostgreSQL and a real SMTP server on loopback: a new
 * send is leased in one statement and its outcome recorded with its audit event and read-model
 * snapshot in one more, with the guarantees of the long way: a hand-in recorded while the lease
 * waits makes the mail moot, and an outcome that cannot be recorded whole is not recorded at all.
 * The leases and outcomes of the mails in flight go as one statement each (a group commit), and
 * every mail keeps its guarantees: exactly once by its key, its events all there in its
 * workflow's order, the read model at the newest snapshot, and a row that ends differently
 * (moot, busy, sent, broken) answering only for itself.
 */
let db: TestDatabase;
let sink: SmtpSink;
let mailer: SmtpMailer;

beforeAll(async () => {
  ({ db, sink, mailer } = await startOutbox('send_once'));
});
afterAll(() => stopOutbox({ db, sink, mailer }));

const send = (pool: Pool, planned: PlannedMail): Promise<SendOnceResult> =>
  new MockActivityEnvironment().run(() => sendOnce({ db: pool, mailer, clock: systemClock }, planned));

const snapshot = (board: string, seq: number, stage: DeliverableSnapshot['stage']): DeliverableSnapshot =>
  testSnapshot('q1', board, seq, stage);

function reminder(board: string, over: Partial<PlannedMail> = {}): PlannedMail {
  const workflowId = `teststad/2030/q1/${board}`;
  return {
    key: `${workflowId}#q1/${board}/reminder-1@2030-03-04T07:00:00.000Z`,
    workflowId,
    logKind: 'reminder',
    auditKind: 'reminder',
    plannedAt: '2030-03-04T08:00:00+01:00',
    firedAt: '2030-03-04T08:00:00+01:00',
    to: [`registrator.${board}@test.example`],
    roles: ['registrator'],
    mail: { subject: `Påminnelse ${board}`, text: 'Påminnelse', html: '<p>Påminnelse</p>' },
    payload: { actionId: `q1/${board}/reminder-1` },
    ...over,
  };
}

/** The deliverable's read-model row as its workflow's events left it (started, open). */
async function opened(board: string): Promise<void> {
  await withTransaction(db.pool, (tx) =>
    appendAuditEvent(tx, {
      occurredAt: new Date('2030-02-01T08:00:00+01:00'),
      workflowId: `teststad/2030/q1/${board}`,
      seq: 1,
      kind: 'deliverable-started',
      actor: 'system',
      eventKey: `teststad/2030/q1/${board}#1`,
      payload: { snapshot: snapshot(board, 1, 'open') },
    }),
  );
}

/** The pool, counting what the outbox asks of it: statements, and connections taken for a transaction. */
function counting(pool: Pool): {
  pool: Pool;
  statements: string[];
  texts: string[];
  transactions: () => number;
} {
  const statements: string[] = [];
  const texts: string[] = [];
  let transactions = 0;
  const counted = new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query')
        // A statement as text, or as a prepared statement's config (name, text, values).
        return (text: string | { text: string }, values?: unknown[]) => {
          texts.push(typeof text === 'string' ? text : text.text);
          statements.push(texts[texts.length - 1]!.trim().split(/\s+/)[0]!);
          return target.query(text as string, values);
        };
      if (property === 'connect')
        return () => {
          transactions += 1;
          return target.connect();
        };
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { pool: counted, statements, texts, transactions: () => transactions };
}

describe('the outbox’s hot path', () => {
  it('leases a new send in one statement and records it sent, with its event and snapshot, in one more', async () => {
    await opened('farsta');
    const before = sink.received.length;
    const { pool, statements, transactions } = counting(db.pool);
    const planned = reminder('farsta', { seq: 2, payload: { snapshot: snapshot('farsta', 2, 'open') } });
    const result = await send(pool, planned);
    expect(result.sentNow).toBe(true);
    expect(statements).toEqual(['INSERT', 'WITH']);
    expect(transactions()).toBe(0);
    expect(sink.received.length - before).toBe(1);
    const [row] = await listSends(db.pool, planned.workflowId);
    expect([row!.status, row!.attempts, row!.message_id]).toEqual(['sent', 1, result.messageId]);
    const events = await listAuditEvents(db.pool, planned.workflowId);
    expect(events.map((e) => [e.kind, e.seq])).toEqual([
      ['deliverable-started', '1'],
      ['reminder-sent', '2'],
    ]);
    const status = await db.pool.query<{ last_event_id: string; last_seq: string }>(
      'SELECT last_event_id, last_seq FROM deliverable_status WHERE workflow_id = $1',
      [planned.workflowId],
    );
    expect(status.rows[0]).toEqual({ last_event_id: events[1]!.id, last_seq: '2' });
    // Asked again (a retry), it is found sent: the long way, nothing sent twice.
    expect((await send(db.pool, planned)).sentNow).toBe(false);
    expect(sink.received.length - before).toBe(1);
  });

  it('makes a reminder moot when the hand-in is recorded while its lease waits for the read-model row', async () => {
    await opened('kista');
    const before = sink.received.length;
    const handIn = await db.pool.connect();
    try {
      // The hand-in's event holds the deliverable's row (as recordEvent's transaction does)…
      await handIn.query('BEGIN');
      await appendAuditEvent(handIn, {
        occurredAt: new Date('2030-03-04T07:59:59+01:00'),
        workflowId: 'teststad/2030/q1/kista',
        seq: 2,
        kind: 'submitted',
        actor: 'Kista',
        eventKey: 'teststad/2030/q1/kista#2',
        payload: { snapshot: snapshot('kista', 2, 'submitted') },
      });
      // …while the dispatcher's reminder for it is claimed: the claim waits for the row.
      const pending = send(db.pool, reminder('kista', { onlyInStages: ['open', 'returned'] }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await handIn.query('COMMIT');
      expect(await pending).toMatchObject({ moot: true, sentNow: false });
    } finally {
      handIn.release();
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a mail that should not come
    expect(sink.received.length - before).toBe(0);
    expect(await listSends(db.pool, 'teststad/2030/q1/kista')).toEqual([]);
    const kinds = (await listAuditEvents(db.pool, 'teststad/2030/q1/kista')).map((e) => e.kind);
    expect(kinds).toEqual(['deliverable-started', 'submitted']);
  });

  it('records nothing of an outcome whose event cannot be recorded: the send stays leased, to be retried', async () => {
    await opened('skarholmen');
    // A snapshot the read model refuses (no such stage): its upsert fails, and with it the statement.
    const bad = { ...snapshot('skarholmen', 2, 'open'), stage: 'lost' as DeliverableSnapshot['stage'] };
    const planned = reminder('skarholmen', { seq: 2, payload: { snapshot: bad } });
    await expect(send(db.pool, planned)).rejects.toThrow(/deliverable_status_stage_check/);
    const [row] = await listSends(db.pool, planned.workflowId);
    expect([row!.status, row!.message_id]).toEqual(['sending', null]);
    const kinds = (await listAuditEvents(db.pool, planned.workflowId)).map((e) => e.kind);
    expect(kinds).toEqual(['deliverable-started']);
  });
});

const workflowOf = (board: string) => `teststad/2030/q1/${board}`;

/** Reminder number `n` of a board's workflow (a key of its own). */
function mail(board: string, n: number, over: Partial<PlannedMail> = {}): PlannedMail {
  const first = reminder(board);
  return reminder(board, {
    key: first.key.replace('/reminder-1@', `/reminder-${n}@`),
    mail: { ...first.mail, subject: `Påminnelse ${board} ${n}` },
    payload: { actionId: `q1/${board}/reminder-${n}` },
    ...over,
  });
}

/** The deliverable's read-model row as its workflow's events left it. */
async function recorded(board: string, seq: number, stage: DeliverableSnapshot['stage']): Promise<void> {
  await withTransaction(db.pool, (tx) =>
    appendAuditEvent(tx, {
      occurredAt: new Date(`2030-02-01T08:00:0${seq}+01:00`),
      workflowId: workflowOf(board),
      seq,
      kind: seq === 1 ? 'deliverable-started' : 'submitted',
      actor: 'system',
      eventKey: `${workflowOf(board)}#${seq}`,
      payload: { snapshot: snapshot(board, seq, stage) },
    }),
  );
}

function leaseOf(planned: PlannedMail, onlyInStages?: string[]): LeaseRequest {
  return {
    send: {
      idempotencyKey: planned.key,
      workflowId: planned.workflowId,
      kind: planned.logKind,
      plannedAt: new Date(planned.plannedAt),
      recipients: planned.to,
      subject: planned.mail.subject,
    },
    ...(onlyInStages && { onlyInStages }),
  };
}

/** A reminder of a board's deliverable as its workflow asks sendNotification for it. */
function notification(board: string): SendNotificationInput {
  return {
    workflowId: workflowOf(board),
    seq: 2,
    actionId: `q1/${board}/reminder-1`,
    kind: 'reminder',
    level: 1,
    plannedAt: '2030-03-04T08:00:00+01:00',
    firedAt: '2030-03-04T08:00:00+01:00',
    budgetYear: 2030,
    phaseName: 'Tertialrapport 1',
    boardName: board,
    deadlineAt: '2030-03-10T23:59:00+01:00',
    to: [`registrator.${board}@test.example`],
    roles: ['registrator'],
    snapshot: snapshot(board, 2, 'open'),
  };
}

function sentEvent(planned: PlannedMail, seq: number, snap?: DeliverableSnapshot): AuditEvent {
  return {
    occurredAt: new Date(planned.firedAt),
    workflowId: planned.workflowId,
    seq,
    kind: 'reminder-sent',
    actor: 'system',
    eventKey: `${planned.key}#sent`,
    payload: { ...planned.payload, ...(snap && { snapshot: snap }) },
  };
}

describe('the outbox’s group commit', () => {
  it('puts the mails of every activity set built on one pool into the same batches, the recipients’ lookup too', async () => {
    const { pool, texts } = counting(db.pool);
    const sets = [1, 2].map(() => createActivities({ db: pool, mailer, clock: systemClock }));
    const boards = ['aspudden', 'liljeholmen'];
    for (const board of boards) await recorded(board, 1, 'open');
    const before = sink.received.length;
    const results = await Promise.all(
      boards.map((board, i) => new MockActivityEnvironment().run(sets[i]!.sendNotification, notification(board))),
    );
    expect(results.map((r) => (r as SendOnceResult).sentNow)).toEqual([true, true]);
    expect(sink.received.length - before).toBe(2);
    // One lookup and one lease for the two mails, though each came from an activity set of its own.
    expect(texts.filter((t) => t.includes('AS q(i integer'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('INSERT INTO send_log AS s'))).toHaveLength(1);
  });

  it('sends many mails at once, each key asked for three times, each mail exactly once, in fewer statements', async () => {
    const boards = ['alby', 'bandhagen', 'fittja', 'gubbangen', 'hjulsta', 'islinge'];
    for (const board of boards) await recorded(board, 1, 'open');
    // Three mails per workflow (its sequence numbers 2, 3, 4, each with its snapshot), each asked for
    // three times at the same moment (an activity and its retries racing).
    const mails = boards.flatMap((board) =>
      [2, 3, 4].map((seq) => mail(board, seq, { seq, payload: { snapshot: snapshot(board, seq, 'open') } })),
    );
    const before = sink.received.length;
    const { pool, statements } = counting(db.pool);
    const settled = await Promise.allSettled(mails.flatMap((m) => [m, m, m]).map((m) => send(pool, m)));

    // Each key: one attempt sent it; the others found it leased (retried later) or already sent.
    mails.forEach((m, i) => {
      const three = settled.slice(3 * i, 3 * i + 3);
      const answers = three.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));
      const sentNow = answers.filter((a: SendOnceResult) => a.sentNow === true) as SendOnceResult[];
      expect(sentNow).toHaveLength(1);
      for (const other of answers.filter((a) => a !== sentNow[0])) {
        if (other instanceof Error) expect(other).toBeInstanceOf(SendInProgress);
        else expect(other).toMatchObject({ sentNow: false, messageId: sentNow[0]!.messageId });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // time for a mail that should not come
    const received = sink.received.slice(before);
    expect(received).toHaveLength(mails.length);
    expect(new Set(received.map((r) => r.parsed.subject))).toEqual(new Set(mails.map((m) => m.mail.subject)));
    // The mails in flight shared their lease statements: a few, not one each. (Their outcomes
    // share one only when the relay answers them together, which depends on its timing here; the
    // outcome batch has a test of its own below.)
    expect(statements.filter((s) => s === 'INSERT').length).toBeLessThan(mails.length / 2);

    for (const board of boards) {
      const sends = await listSends(db.pool, workflowOf(board));
      expect(sends.map((s) => [s.status, s.attempts])).toEqual([
        ['sent', 1],
        ['sent', 1],
        ['sent', 1],
      ]);
      // Every event there once, in the workflow's order; the read model at its newest snapshot.
      const events = await listAuditEvents(db.pool, workflowOf(board));
      expect(events.map((e) => [e.kind, e.seq])).toEqual([
        ['deliverable-started', '1'],
        ['reminder-sent', '2'],
        ['reminder-sent', '3'],
        ['reminder-sent', '4'],
      ]);
      const status = await db.pool.query<{ last_event_id: string; last_seq: string }>(
        'SELECT last_event_id, last_seq FROM deliverable_status WHERE workflow_id = $1',
        [workflowOf(board)],
      );
      expect(status.rows[0]).toEqual({ last_event_id: events[3]!.id, last_seq: '4' });
    }
  });

  it('answers each row of a batch of sends on its own: sent, moot, busy, already sent', async () => {
    await recorded('husby', 1, 'open');
    await recorded('rinkeby', 1, 'open');
    await recorded('rinkeby', 2, 'submitted'); // handed in: its reminder is moot
    await recorded('spanga', 1, 'open');
    await recorded('tensta', 1, 'open');
    const busy = mail('spanga', 1, { onlyInStages: ['open'] });
    const done = mail('tensta', 1, { onlyInStages: ['open'] });
    // Another attempt holds spånga's lease; tensta's went out before.
    await db.pool.query(
      `INSERT INTO send_log (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, lease_until, attempts)
       VALUES ($1, $2, 'reminder', $3, '{}', '', 'sending', now() + interval '1 minute', 1),
              ($4, $5, 'reminder', $3, '{}', '', 'sent', NULL, 1)`,
      [busy.key, busy.workflowId, busy.plannedAt, done.key, done.workflowId],
    );
    await db.pool.query(`UPDATE send_log SET message_id = '<earlier@arshjul>' WHERE idempotency_key = $1`, [done.key]);
    const before = sink.received.length;
    const [moot, leased, sent, fresh] = await Promise.allSettled([
      send(db.pool, mail('rinkeby', 1, { onlyInStages: ['open'] })),
      send(db.pool, busy),
      send(db.pool, done),
      send(db.pool, mail('husby', 1, { onlyInStages: ['open'] })),
    ]);
    expect(fresh).toMatchObject({ status: 'fulfilled', value: { sentNow: true } });
    expect(moot).toMatchObject({ status: 'fulfilled', value: { moot: true, sentNow: false } });
    expect(leased.status === 'rejected' && leased.reason).toBeInstanceOf(SendInProgress);
    expect(sent).toMatchObject({ status: 'fulfilled', value: { sentNow: false, messageId: '<earlier@arshjul>' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.received.slice(before).map((r) => r.parsed.subject)).toEqual(['Påminnelse husby 1']);
    expect((await listSends(db.pool, workflowOf('spanga')))[0]).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await listSends(db.pool, workflowOf('rinkeby'))).toEqual([]);
  });

  it('leases in one statement what is free, once per key, and a broken row fails only itself', async () => {
    await recorded('vallingby', 1, 'open');
    await recorded('hasselby', 1, 'open');
    await recorded('hasselby', 2, 'submitted');
    const free = mail('vallingby', 1);
    const moot = mail('hasselby', 1);
    const twice = mail('vallingby', 2);
    // The same key twice in one statement: the first takes the lease, the second finds it taken.
    expect(await leaseFreeSends(db.pool, [leaseOf(twice), leaseOf(twice)], 60_000)).toEqual([true, false]);
    const broken = leaseOf(mail('vallingby', 3));
    broken.send.plannedAt = new Date(Number.NaN); // refused by the send log (no planned instant)
    const lease = createBatcher((rows: readonly LeaseRequest[]) => leaseFreeSends(db.pool, rows, 60_000));
    const answers = await Promise.allSettled([
      lease(leaseOf(free, ['open'])),
      lease(leaseOf(moot, ['open'])),
      lease(broken),
      lease(leaseOf(twice)),
    ]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'failed'))).toEqual([true, false, 'failed', false]);
    expect((await listSends(db.pool, free.workflowId)).map((s) => [s.idempotency_key, s.status])).toEqual([
      [free.key, 'sending'],
      [twice.key, 'sending'],
    ]);
    expect(await listSends(db.pool, moot.workflowId)).toEqual([]);
  });

  it('records a batch of outcomes in one statement: events in the workflow’s order, the newest snapshot, a broken row failing alone', async () => {
    await recorded('skarpnack', 1, 'open');
    await recorded('enskede', 1, 'open');
    const mails = [4, 3, 2].map((seq) => mail('skarpnack', seq, { seq }));
    const other = mail('enskede', 1, { seq: 2 });
    const bad = mail('enskede', 2, { seq: 3 });
    await leaseFreeSends(
      db.pool,
      [...mails, other, bad].map((m) => leaseOf(m)),
      60_000,
    );
    const outcomeOf = (m: PlannedMail, snap: DeliverableSnapshot): SentOutcome => ({
      idempotencyKey: m.key,
      messageId: `<${m.mail.subject.replace(/\W/g, '')}@test>`,
      sentAt: new Date(),
      event: sentEvent(m, m.seq!, snap),
    });
    const { pool, statements } = counting(db.pool);
    const record = createBatcher((rows: readonly SentOutcome[]) => markSentWithEvents(pool, rows));
    // Arriving newest first (their SMTP exchanges ended in that order): one statement for the three.
    const first = await Promise.all(mails.map((m) => record(outcomeOf(m, snapshot('skarpnack', m.seq!, 'open')))));
    expect(first).toEqual([true, true, true]);
    expect(statements).toEqual(['WITH']);
    const events = await listAuditEvents(db.pool, workflowOf('skarpnack'));
    expect(events.map((e) => e.seq)).toEqual(['1', '2', '3', '4']);
    // Inserted in the workflow's order, not as they arrived; the read model at the newest.
    const ids = events.slice(1).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const status = await db.pool.query<{ last_event_id: string; last_seq: string }>(
      'SELECT last_event_id, last_seq FROM deliverable_status WHERE workflow_id = $1',
      [workflowOf('skarpnack')],
    );
    expect(status.rows[0]).toEqual({ last_event_id: events[3]!.id, last_seq: '4' });

    // A batch with a snapshot the read model refuses: that outcome fails, alone, and records nothing.
    const lost = { ...snapshot('enskede', 3, 'open'), stage: 'lost' as DeliverableSnapshot['stage'] };
    const second = await Promise.allSettled([
      record(outcomeOf(other, snapshot('enskede', 2, 'open'))),
      record(outcomeOf(bad, lost)),
    ]);
    expect(second.map((a) => (a.status === 'fulfilled' ? a.value : String(a.reason)))).toEqual([
      true,
      expect.stringMatching(/deliverable_status_stage_check/),
    ]);
    const enskede = await listAuditEvents(db.pool, workflowOf('enskede'));
    expect(enskede.map((e) => [e.kind, e.seq])).toEqual([
      ['deliverable-started', '1'],
      ['reminder-sent', '2'],
    ]);
    const sends = await listSends(db.pool, workflowOf('enskede'));
    expect(sends.map((s) => [s.idempotency_key, s.status])).toEqual([
      [other.key, 'sent'],
      [bad.key, 'sending'],
    ]);
  });

  it('records a batch of outcomes by their keys, not by a scan of the whole send log (a cost that grew with it)', async () => {
    // A send log with a history: the mails of earlier years, all sent.
    await db.pool.query(
      `INSERT INTO send_log (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, sent_at)
       SELECT 'history#' || i, 'history/' || (i % 300), 'reminder', now(), '{}', 'Påminnelse', 'sent', now()
       FROM generate_series(1, 5000) i`,
    );
    await db.pool.query('ANALYZE send_log');
    await recorded('bagarmossen', 1, 'open');
    const mails = [2, 3, 4].map((seq) => mail('bagarmossen', seq, { seq }));
    await leaseFreeSends(
      db.pool,
      mails.map((m) => leaseOf(m)),
      60_000,
    );
    // The statement run under EXPLAIN ANALYZE (it records the outcomes, as it would otherwise).
    const plans: unknown[] = [];
    const explaining = {
      query: async (text: string, values?: unknown[]) => {
        const result = await db.pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
        plans.push(result.rows[0]['QUERY PLAN']);
        return { rows: [], rowCount: 0 };
      },
    } as unknown as Pool;
    await markSentWithEvents(
      explaining,
      mails.map((m) => ({
        idempotencyKey: m.key,
        messageId: `<${m.seq}@test>`,
        sentAt: new Date(),
        event: sentEvent(m, m.seq!, snapshot('bagarmossen', m.seq!, 'open')),
      })),
    );
    const sendLogScans = nodesOf(plans).filter(
      (node) => node['Relation Name'] === 'send_log' && String(node['Node Type']).endsWith('Scan'),
    );
    expect(sendLogScans.map((node) => [node['Node Type'], node['Actual Rows']])).toEqual([
      [expect.stringMatching(/^(Index Scan|Bitmap Heap Scan)$/), 3],
    ]);
    expect((await listSends(db.pool, workflowOf('bagarmossen'))).map((s) => s.status)).toEqual([
      'sent',
      'sent',
      'sent',
    ]);
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

/** Every node of EXPLAIN (FORMAT JSON) plans, the statement's and its CTEs'. */
function nodesOf(plans: unknown[]): PlanNode[] {
  const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];
  return plans.flatMap((plan) => (plan as { Plan: PlanNode }[]).flatMap((entry) => walk(entry.Plan)));
}
