import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { systemClock } from '../../src/activities/ports';
import { PlannedMail, sendOnce, SendOnceResult } from '../../src/activities/send-once';
import { appendAuditEvent, listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import type { DeliverableSnapshot } from '../../src/db/read-model';
import { listSends } from '../../src/db/send-log';
import type { SmtpSink } from '../../src/stack/smtp-sink';
import type { SmtpMailer } from '../../src/worker/mail-transport';
import type { TestDatabase } from '../helpers/database';
import { startOutbox, stopOutbox, testSnapshot } from '../helpers/outbox';

/**
 * The outbox's hot path (issue 16) over PostgreSQL and a real SMTP server on loopback: a new
 * send is leased in one statement and its outcome recorded with its audit event and read-model
 * snapshot in one more, with the guarantees of the long way: a hand-in recorded while the lease
 * waits makes the mail moot, and an outcome that cannot be recorded whole is not recorded at all.
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
function counting(pool: Pool): { pool: Pool; statements: string[]; transactions: () => number } {
  const statements: string[] = [];
  let transactions = 0;
  const counted = new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query')
        return (text: string, values?: unknown[]) => {
          statements.push(text.trim().split(/\s+/)[0]!);
          return target.query(text, values);
        };
      if (property === 'connect')
        return () => {
          transactions += 1;
          return target.connect();
        };
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { pool: counted, statements, transactions: () => transactions };
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
