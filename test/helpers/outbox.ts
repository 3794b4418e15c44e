import type { DeliverableSnapshot } from '../../src/db/read-model';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createSmtpMailer, SmtpMailer } from '../../src/worker/mail-transport';
import { createTestDatabase, TestDatabase } from './database';

/**
 * What the outbox's tests send through (the send path below the workflows): a migrated database
 * of the test file's own, a real SMTP server on loopback, and the worker's pooled mailer to it.
 */
export interface Outbox {
  db: TestDatabase;
  sink: SmtpSink;
  mailer: SmtpMailer;
}

export async function startOutbox(label: string): Promise<Outbox> {
  const db = await createTestDatabase(label);
  try {
    const sink = await new SmtpSink().start();
    return { db, sink, mailer: createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>') };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** Stops what `startOutbox` started; whatever of it is there (a `beforeAll` that failed half-way). */
export async function stopOutbox(outbox: Partial<Outbox>): Promise<void> {
  outbox.mailer?.close();
  await outbox.sink?.stop();
  await outbox.db?.drop();
}

/** A deliverable of teststad's 2030 cycle in the read model, as its workflow's event `seq` reports it. */
export function testSnapshot(
  phase: string,
  board: string,
  seq: number,
  stage: DeliverableSnapshot['stage'],
): DeliverableSnapshot {
  return {
    seq,
    municipality: 'teststad',
    budgetYear: 2030,
    phaseId: phase,
    boardId: board,
    answeringBoardId: board,
    stage,
    late: false,
    escalationLevel: 0,
    deadline: '2030-03-10',
    deadlineAt: '2030-03-10T23:59:00+01:00',
  };
}
