import { temporal } from '@temporalio/proto';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { mondayOf } from '../../src/activities/digest';
import { systemClock } from '../../src/activities/ports';
import { DIGEST_SCHEDULE_ID, ensureDigestSchedule } from '../../src/client/digest-schedule';
import { listAuditEvents } from '../../src/db/audit-log';
import { recordCycle } from '../../src/db/cycles';
import { withTransaction } from '../../src/db/database';
import { projectSnapshot, DeliverableSnapshot } from '../../src/db/read-model';
import { setRecipientPreference } from '../../src/db/recipient-preferences';
import { replaceRegistry } from '../../src/db/registry';
import { listSends } from '../../src/db/send-log';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import type { DeliverableStage } from '../../src/domain/deliverable-state';
import { localDateOf, localTimeOf } from '../../src/domain/zoned-time';
import { smallRegistry } from '../fixtures/small-registry';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { startDevServerEnv } from '../helpers/temporal';

const ctx = useRunningWorker(startDevServerEnv, 'digest_languages');
const day = 86_400_000;

describe('recipients’ language and the weekly digest (dev server, PostgreSQL, SMTP)', () => {
  beforeAll(async () => {
    const db = ctx.harness.db.pool;
    // Farsta's registrator reads English and takes the digest; its head of administration
    // (förvaltningschef) reads English and gets mails one by one; the chair keeps the defaults.
    await withTransaction(db, (tx) => replaceRegistry(tx, smallRegistry));
    await setRecipientPreference(db, {
      address: 'Registrator.Farsta@stockholm.example',
      language: 'en',
      weeklyDigest: true,
    });
    await setRecipientPreference(db, { address: 'fc.farsta@stockholm.example', language: 'en', weeklyDigest: false });
  });

  const activities = () =>
    createActivities({
      db: ctx.harness.db.pool,
      mailer: ctx.harness.mailer,
      clock: systemClock,
      publicUrl: 'https://arshjul.test.example',
    });
  const snapshot = (phaseId: string, over: Partial<DeliverableSnapshot> = {}): DeliverableSnapshot => ({
    seq: 1,
    municipality: 'teststad',
    budgetYear: 2028,
    phaseId,
    boardId: 'farsta',
    answeringBoardId: 'farsta',
    stage: 'open',
    late: false,
    escalationLevel: 0,
    deadline: '2027-05-20',
    deadlineAt: '2027-05-20T23:59:00+02:00',
    ...over,
  });
  const notification = (actionId: string, kind: 'reminder' | 'escalation', plannedAt: string) => ({
    workflowId: 'teststad/2028/tertialrapport-1/farsta',
    seq: 1,
    actionId,
    kind,
    level: kind === 'escalation' ? 1 : 2,
    plannedAt,
    firedAt: new Date(plannedAt).toISOString(),
    budgetYear: 2028,
    phaseName: 'Tertialrapport 1',
    boardName: 'Farsta stadsdelsnämnd',
    deadlineAt: '2027-05-20T23:59:00+02:00',
    to: [],
    roles: kind === 'escalation' ? ['forvaltningschef', 'ordforande'] : ['registrator'],
    snapshot: snapshot('tertialrapport-1'),
  });

  it('leaves a reminder to the digest of a recipient who chose it, and records that', async () => {
    const before = ctx.harness.sink.received.length;
    const result = await new MockActivityEnvironment().run(
      activities().sendNotification,
      notification('tertialrapport-1/farsta/reminder-2', 'reminder', '2027-05-19T08:00:00+02:00'),
    );
    expect(result).toMatchObject({ sentNow: false, toDigest: 1 });
    const events = await listAuditEvents(ctx.harness.db.pool, 'teststad/2028/tertialrapport-1/farsta');
    expect(events.map((e) => [e.kind, e.payload.recipients])).toEqual([
      ['reminder-to-digest', ['registrator.farsta@stockholm.example']],
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.harness.sink.received.length).toBe(before);
  });

  it('leaves nothing to the digest, and records no deferral, of a reminder the board no longer owes', async () => {
    // The board submitted after the dispatcher read its stage: the deferral is checked under the
    // lock a submission's record takes, as a mail's claim is, and the reminder is moot.
    const workflowId = 'teststad/2028/tertialrapport-2/farsta';
    await projectSnapshot(
      ctx.harness.db.pool,
      { workflowId, occurredAt: new Date() },
      '1',
      snapshot('tertialrapport-2', { stage: 'submitted' }),
    );
    const before = ctx.harness.sink.received.length;
    const result = await new MockActivityEnvironment().run(activities().sendNotification, {
      ...notification('tertialrapport-2/farsta/reminder-2', 'reminder', '2027-05-19T08:00:00+02:00'),
      workflowId,
      onlyInStages: ['open', 'returned'] as DeliverableStage[],
    });
    expect(result).toMatchObject({ moot: true, sentNow: false });
    expect((await listAuditEvents(ctx.harness.db.pool, workflowId)).map((e) => e.kind)).not.toContain(
      'reminder-to-digest',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.harness.sink.received.length).toBe(before);
  });

  it('defers a reminder or finds it moot as the submission recorded at the same moment says, never both', async () => {
    // The submission's record holds the read model's row while the reminder's deferral runs: the
    // deferral waits for it and sees the submission, instead of the stage before it.
    const workflowId = 'teststad/2028/tertialrapport-3/farsta';
    const pool = ctx.harness.db.pool;
    await projectSnapshot(pool, { workflowId, occurredAt: new Date() }, '1', snapshot('tertialrapport-3'));
    const submission = await pool.connect();
    try {
      await submission.query('BEGIN');
      await projectSnapshot(
        submission,
        { workflowId, occurredAt: new Date() },
        '2',
        snapshot('tertialrapport-3', { seq: 2, stage: 'submitted' }),
      );
      const reminder = new MockActivityEnvironment().run(activities().sendNotification, {
        ...notification('tertialrapport-3/farsta/reminder-2', 'reminder', '2027-05-19T08:00:00+02:00'),
        workflowId,
        onlyInStages: ['open', 'returned'] as DeliverableStage[],
      });
      await new Promise((r) => setTimeout(r, 500));
      await submission.query('COMMIT');
      expect(await reminder).toMatchObject({ moot: true });
    } finally {
      submission.release();
    }
    expect((await listAuditEvents(pool, workflowId)).map((e) => e.kind)).not.toContain('reminder-to-digest');
  });

  it('writes to each recipient in their language: one Swedish and one English mail, each sent once', async () => {
    const before = ctx.harness.sink.received.length;
    const input = notification('tertialrapport-1/farsta/escalation-1', 'escalation', '2027-05-21T08:00:00+02:00');
    await new MockActivityEnvironment().run(activities().sendNotification, input);
    await new MockActivityEnvironment().run(activities().sendNotification, input); // a retry: nothing new
    const mails = await ctx.harness.sink.waitFor((m) => m.length >= before + 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.harness.sink.received.length).toBe(before + 2);
    const byRecipient = new Map(mails.slice(before).map((m) => [m.envelope.to.join(','), m.parsed]));
    const english = byRecipient.get('fc.farsta@stockholm.example')!;
    const swedish = byRecipient.get('ordf.farsta@stockholm.example')!;
    expect(english.subject).toBe('Overdue: Tertialrapport 1 from Farsta stadsdelsnämnd (escalation level 1)');
    expect(english.text).toContain('The deadline was Thursday 20 May 2027, 23:59 Stockholm time.');
    expect(english.html).toContain('<html lang="en">');
    expect(swedish.subject).toBe('Försenad leverans: Tertialrapport 1 från Farsta stadsdelsnämnd (eskalering steg 1)');
    expect(swedish.text).toContain('Sista dag var torsdag 20 maj 2027 kl. 23:59.');
    // Both link to the board's page.
    for (const mail of [english, swedish]) expect(mail.text).toContain('https://arshjul.test.example/namnd/farsta');
    const sends = await listSends(ctx.harness.db.pool, input.workflowId);
    expect(sends.map((s) => [s.idempotency_key.endsWith('#en'), s.recipients, s.status]).sort()).toEqual([
      [false, ['ordf.farsta@stockholm.example'], 'sent'],
      [true, ['fc.farsta@stockholm.example'], 'sent'],
    ]);
  });

  it('schedules the digest for Mondays at 08:00 Stockholm time, summer and winter', async () => {
    const { client } = ctx.env;
    expect(await ensureDigestSchedule(client, ctx.harness.taskQueue)).toBe('created');
    expect(await ensureDigestSchedule(client, ctx.harness.taskQueue)).toBe('exists');
    const description = await client.schedule.getHandle(DIGEST_SCHEDULE_ID).describe();
    expect(description.info.nextActionTimes.length).toBeGreaterThanOrEqual(5);
    // The server's own calendar for a stretch across the change to summer time (28 March 2027).
    const response: temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse =
      await client.workflowService.listScheduleMatchingTimes({
        namespace: ctx.env.namespace ?? 'default',
        scheduleId: DIGEST_SCHEDULE_ID,
        startTime: msToTs(Date.parse('2027-03-10T00:00:00Z')),
        endTime: msToTs(Date.parse('2027-04-10T00:00:00Z')),
      });
    const matching = (response.startTime ?? []).map((t) => new Date(tsToMs(t)));
    expect(matching.map((d) => d.toISOString())).toEqual([
      '2027-03-15T07:00:00.000Z', // 08:00 CET
      '2027-03-22T07:00:00.000Z',
      '2027-03-29T06:00:00.000Z', // 08:00 CEST, the day after the change
      '2027-04-05T06:00:00.000Z',
    ]);
    for (const instant of [...description.info.nextActionTimes, ...matching]) {
      expect(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Stockholm', weekday: 'long' }).format(instant)).toBe(
        'Monday',
      );
      expect(localTimeOf(instant, 'Europe/Stockholm')).toBe('08:00');
    }
  });

  it('sends each subscriber one digest a week with their overdue and upcoming deliverables', async () => {
    const db = ctx.harness.db.pool;
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await recordCycle(db, {
      workflowId: 'teststad/2027',
      startedBy: 'test',
      calendar: cycleCalendarSchema.parse({
        municipality: 'teststad',
        budgetYear: 2027,
        phases: [
          {
            id: 'sen',
            kind: 'deliverable',
            name: 'Försenad <rapport>',
            opens: { date: '2026-01-05' },
            deadline: '2026-02-02',
          },
          {
            id: 'snart',
            kind: 'deliverable',
            name: 'Kommande plan',
            opens: { date: '2026-01-05' },
            deadline: '2026-02-02',
          },
          {
            id: 'sedan',
            kind: 'deliverable',
            name: 'Långt fram',
            opens: { date: '2026-01-05' },
            deadline: '2026-02-02',
          },
          {
            id: 'klar',
            kind: 'deliverable',
            name: 'Redan godkänd',
            opens: { date: '2026-01-05' },
            deadline: '2026-02-02',
          },
        ],
      }),
    });
    const rows: Array<[string, Partial<DeliverableSnapshot>]> = [
      ['sen', { stage: 'returned', late: true, escalationLevel: 1, deadlineAt: iso(now - 2 * day) }],
      ['snart', { deadlineAt: iso(now + 10 * day) }],
      ['sedan', { deadlineAt: iso(now + 60 * day) }],
      ['klar', { stage: 'approved', deadlineAt: iso(now + 3 * day) }],
      ['snart', { boardId: 'kulturnamnden', answeringBoardId: 'kulturnamnden', deadlineAt: iso(now + 4 * day) }],
    ];
    for (const [index, [phaseId, over]] of rows.entries()) {
      const s = { ...snapshot(phaseId, over), budgetYear: 2027 };
      s.deadline = localDateOf(new Date(s.deadlineAt), 'Europe/Stockholm');
      await projectSnapshot(
        db,
        { workflowId: `teststad/2027/${phaseId}/${s.boardId}`, occurredAt: new Date() },
        String(index + 1),
        s,
      );
    }

    await ensureDigestSchedule(ctx.env.client, ctx.harness.taskQueue);
    const handle = ctx.env.client.schedule.getHandle(DIGEST_SCHEDULE_ID);
    const before = ctx.harness.sink.received.length;
    await handle.trigger();
    const [first] = await eventually(
      async () => (await handle.describe()).info.recentActions,
      (actions) => actions.length >= 1,
    );
    const firstResult = await ctx.env.client.workflow
      .getHandle(first!.action.workflow.workflowId, first!.action.workflow.firstExecutionRunId)
      .result();
    expect(firstResult).toMatchObject({ subscribers: 1, sent: 1 });
    const [digest] = (await ctx.harness.sink.waitFor((m) => m.length >= before + 1)).slice(before);
    expect(digest!.envelope.to).toEqual(['registrator.farsta@stockholm.example']);
    expect(digest!.parsed.subject).toBe('Weekly digest: 2 deliverables to submit, 1 overdue');
    const text = digest!.parsed.text!;
    expect(text).toMatch(
      /Overdue:\n- Farsta stadsdelsnämnd: Försenad <rapport> \(2027\), deadline was .* — returned for completion, escalated, level 1\n/,
    );
    expect(text).toMatch(/Upcoming:\n- Farsta stadsdelsnämnd: Kommande plan \(2027\), due by /);
    expect(text).not.toContain('Långt fram');
    expect(text).not.toContain('Redan godkänd');
    expect(digest!.parsed.html).toContain('Försenad &lt;rapport&gt;');

    // A second run in the same week (a manual trigger, a retry) sends no second digest.
    await handle.trigger();
    const runs = await eventually(
      async () => (await handle.describe()).info.recentActions,
      (actions) => actions.length >= 2,
    );
    expect(runs).toHaveLength(2);
    const results = await Promise.all(
      runs.map((a) =>
        ctx.env.client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result(),
      ),
    );
    expect(results.map((r) => [r.subscribers, r.sent, r.alreadySent])).toEqual([
      [1, 1, 0],
      [1, 0, 1],
    ]);
    const sends = await listSends(db, `weekly-digest/${mondayOf(new Date())}`);
    expect(sends.map((s) => [s.recipients, s.status])).toEqual([[['registrator.farsta@stockholm.example'], 'sent']]);
    expect(ctx.harness.sink.received.slice(before)).toHaveLength(1);
    await handle.delete();
  });
});
