import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { Mailer, OutgoingMail } from '../../src/activities/ports';
import { createPersonSettingsOperations } from '../../src/client/operations/person-settings';
import { listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import { digestItemsFor } from '../../src/db/digest-items';
import { signInPerson } from '../../src/db/person-principal';
import { projectSnapshot, DeliverableSnapshot } from '../../src/db/read-model';
import { listDigestSubscribers } from '../../src/db/recipient-preferences';
import { replaceRegistry } from '../../src/db/registry';
import type { Duty } from '../../src/domain/grants';
import { smallRegistry } from '../fixtures/small-registry';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 13: a board's mails reach its people by duty, resolved when sent, honouring each one's
 * settings (language, digest, boards) and stand-ins; the weekly digest finds people who chose it.
 * The activities over a test database, with a mailer port that keeps what it is handed.
 */
let db: TestDatabase;
const sent: OutgoingMail[] = [];
const mailer: Mailer = {
  send: async (mail) => {
    sent.push(mail);
    return { messageId: mail.messageId, accepted: mail.to, rejected: [] };
  },
};
const ids: Record<string, string> = {};
const settingsClock = new Date('2027-05-01T10:00:00Z');

async function person(subject: string, duty: Duty | undefined) {
  const p = await signInPerson(
    db.pool,
    { issuer: 'https://idp.test', subject, email: `${subject}@stockholm.example` },
    duty ? [{ kind: 'board', boardId: 'farsta', duty }] : [],
    new Date('2027-04-01T08:00:00Z'),
  );
  ids[subject] = p.personId;
  return p;
}

beforeAll(async () => {
  db = await createTestDatabase('mails_by_role');
  await withTransaction(db.pool, (tx) => replaceRegistry(tx, smallRegistry));
  const settings = createPersonSettingsOperations(db.pool, () => settingsClock);
  const base = { version: 0, language: 'sv', weeklyDigest: false, mailBoards: ['farsta'], standIns: [] };
  await person('hanna', 'handlaggare');
  const carl = await person('carl', 'controller');
  const fredrik = await person('fredrik', 'forvaltningschef');
  const olle = await person('olle', 'controller');
  await person('stina', undefined);
  await settings.save(carl, {
    ...base,
    language: 'en',
    standIns: [{ email: 'stina@stockholm.example', from: '2027-05-15', to: '2027-05-25' }],
  });
  await settings.save(fredrik, { ...base, weeklyDigest: true });
  await settings.save(olle, { ...base, mailBoards: [] });
});
afterAll(async () => {
  await db?.drop();
});

const activities = () => createActivities({ db: db.pool, mailer, clock: { now: () => new Date() } });
const snapshot: DeliverableSnapshot = {
  seq: 1,
  municipality: 'teststad',
  budgetYear: 2028,
  phaseId: 'tertialrapport-1',
  boardId: 'farsta',
  answeringBoardId: 'farsta',
  stage: 'open',
  late: false,
  escalationLevel: 0,
  deadline: '2027-05-20',
  deadlineAt: '2027-05-20T23:59:00+02:00',
};
const notification = (kind: 'reminder' | 'escalation', plannedAt: string) => ({
  workflowId: 'teststad/2028/tertialrapport-1/farsta',
  seq: 1,
  actionId: `tertialrapport-1/farsta/${kind}-1`,
  kind,
  level: 1,
  plannedAt,
  firedAt: new Date(plannedAt).toISOString(),
  budgetYear: 2028,
  phaseName: 'Tertialrapport 1',
  boardName: 'Farsta stadsdelsnämnd',
  deadlineAt: '2027-05-20T23:59:00+02:00',
  to: [],
  roles: kind === 'escalation' ? ['forvaltningschef', 'ordforande'] : ['registrator'],
  snapshot,
});

describe('mails by role at the board', () => {
  it('sends a reminder to the registrator and every duty, in each one’s language, the stand-in too', async () => {
    sent.length = 0;
    await new MockActivityEnvironment().run(
      activities().sendNotification,
      notification('reminder', '2027-05-18T08:00:00+02:00'),
    );
    const byLanguage = new Map(sent.map((m) => [m.subject.startsWith('Reminder') ? 'en' : 'sv', m.to.sort()]));
    expect(Object.fromEntries(byLanguage)).toEqual({
      sv: ['hanna@stockholm.example', 'registrator.farsta@stockholm.example', 'stina@stockholm.example'],
      en: ['carl@stockholm.example'],
    });
    // The förvaltningschef chose the digest: recorded, by address, not sent; Olle turned Farsta off.
    const events = await listAuditEvents(db.pool, 'teststad/2028/tertialrapport-1/farsta');
    expect(events.find((e) => e.kind === 'reminder-to-digest')?.payload.recipients).toEqual([
      'fredrik@stockholm.example',
    ]);
    expect(sent.flatMap((m) => m.to)).not.toContain('olle@stockholm.example');
  });

  it('sends an escalation to the board’s management and controllers, not to the handläggare', async () => {
    sent.length = 0;
    await new MockActivityEnvironment().run(
      activities().sendNotification,
      notification('escalation', '2027-05-21T08:00:00+02:00'),
    );
    expect(sent.flatMap((m) => m.to).sort()).toEqual([
      'carl@stockholm.example',
      'fc.farsta@stockholm.example',
      'fredrik@stockholm.example',
      'ordf.farsta@stockholm.example',
      'stina@stockholm.example',
    ]);
  });

  it('after the stand-in period the stand-in gets nothing', async () => {
    sent.length = 0;
    await new MockActivityEnvironment().run(
      activities().sendNotification,
      notification('escalation', '2027-05-26T08:00:00+02:00'),
    );
    expect(sent.flatMap((m) => m.to)).not.toContain('stina@stockholm.example');
    expect(sent.flatMap((m) => m.to)).toContain('carl@stockholm.example');
  });

  it('puts people who chose the digest among its subscribers, with their boards’ deliverables', async () => {
    await projectSnapshot(
      db.pool,
      { workflowId: 'teststad/2028/tertialrapport-1/farsta', occurredAt: new Date() },
      '1',
      snapshot,
    );
    await expect(listDigestSubscribers(db.pool)).resolves.toEqual([
      { address: 'fredrik@stockholm.example', language: 'sv', weeklyDigest: true },
    ]);
    const until = new Date('2027-06-30T00:00:00Z');
    const at = new Date('2027-05-17T06:00:00Z');
    const items = await digestItemsFor(db.pool, 'fredrik@stockholm.example', until, at);
    expect(items.map((i) => `${i.boardId}/${i.phaseId}`)).toEqual(['farsta/tertialrapport-1']);
    // The stand-in's digest would hold it during the period; someone who turned Farsta off, not.
    await expect(digestItemsFor(db.pool, 'stina@stockholm.example', until, at)).resolves.toHaveLength(1);
    await expect(digestItemsFor(db.pool, 'olle@stockholm.example', until, at)).resolves.toEqual([]);
    await expect(
      digestItemsFor(db.pool, 'stina@stockholm.example', until, new Date('2027-05-26T06:00:00Z')),
    ).resolves.toEqual([]);
  });
});
