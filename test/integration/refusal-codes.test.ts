import { listAuditEvents } from '../../src/db/audit-log';
import { formatDate } from '../../src/client/http/pages/format';
import { addDays } from '../../src/domain/local-date';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';

/**
 * A refusal carries a stable code and its field from where it happens to every surface (issue
 * 12): a workflow's update validator refuses, the code and params travel in the failure's
 * details to the API's JSON body, and SLK's page says the code's Swedish sentence with the
 * params filled in. Real servers: time-skipping Temporal, worker, PostgreSQL, the HTTP server.
 */
const stack = useHttpStack('refusal_codes');
const y = STACK_YEAR;
const day = (n: number) => addDays(stack.day0, n);

async function api(path: string, body: unknown) {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A form posted as a signed-in SLK user's browser posts it; the page as text, its markup removed. */
async function postForm(path: string, fields: Record<string, string>) {
  const response = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: {
      cookie: `arshjul_token=${stack.tokens.admin}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
  const page = await response.text();
  return { status: response.status, html: page, text: page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') };
}

describe('refusals from the workflows, by code', () => {
  it('a deadline moved to today: the API answers with the code and today as its param', async () => {
    const moved = await api(`/api/cycles/${y}/deadlines`, {
      phaseId: 'budgetunderlag',
      deadline: day(1),
      reason: 'Fel datum',
    });
    expect(moved).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        field: 'deadline',
        message: 'must be in the future',
        code: 'not-in-future',
        params: { today: day(1) },
      },
    });
  });

  it('the same refusal on SLK’s page reads in Swedish, the date written out', async () => {
    const page = await postForm(`/cykel/${y}/flytta-sista-dag`, {
      phaseId: 'budgetunderlag',
      deadline: day(1),
      reason: 'Fel datum',
    });
    expect(page.status).toBe(409);
    expect(page.text).toContain(`Ny sista dag måste vara efter i dag (${formatDate(day(1))})`);
    expect(page.text).not.toContain('must be in the future');
    // The record keeps the English problem and the code.
    const refused = (await listAuditEvents(stack.harness.db.pool, `teststad/${y}`)).filter(
      (e) => e.kind === 'web-move-deadline',
    );
    expect(refused.map((e) => e.payload)).toEqual([
      { outcome: 'refused', status: 409, field: 'deadline', problem: 'must be in the future', code: 'not-in-future' },
    ]);
  });

  it('approving an open deliverable: the stage’s code with the action and the stage, then the Swedish sentence', async () => {
    const approved = await api(`/api/cycles/${y}/deliverables/budgetunderlag/farsta/approve`, {});
    expect(approved).toEqual({
      status: 409,
      body: {
        error: 'conflict',
        field: 'stage',
        message: 'approve is not possible while the deliverable is open (öppen)',
        code: 'not-possible-in-stage',
        params: { action: 'approve', stage: 'open' },
      },
    });
    const page = await postForm(`/cykel/${y}/godkann`, { phaseId: 'budgetunderlag', boardId: 'farsta' });
    expect(page.status).toBe(409);
    expect(page.text).toContain('Godkännande går inte nu: leveransen är öppen');
    // The refusal came from the report's review page, which has the forms now: the way back.
    expect(page.text).toContain('leveransen är öppen Tillbaka till granskningen');
  });

  it('bad input refused before the workflow carries its code too: a date that is not one, a text too long', async () => {
    expect(
      await api(`/api/cycles/${y}/deliverables/budgetunderlag/farsta/extend`, {
        deadline: `${y}-02-30`,
        reason: 'x',
      }),
    ).toEqual({
      status: 400,
      body: { error: 'bad-request', field: 'deadline', message: 'must be a date YYYY-MM-DD', code: 'bad-date' },
    });
    const long = await api(`/api/cycles/${y}/deliverables/budgetunderlag/farsta/submit`, {
      documentRef: 'x'.repeat(201),
    });
    expect(long.body).toMatchObject({ field: 'documentRef', code: 'too-long', params: { max: 200 } });
  });

  it('a form’s error summary names the field by the label the form shows, linked to the field', async () => {
    const page = await postForm(`/cykel/${y}/milstolpe`, { milestoneId: 'kf-budget', date: `${y}-02-30` });
    expect(page.status).toBe(400);
    const summary = /<div class="error-summary" role="alert">([\s\S]*?)<\/div>/.exec(page.html)?.[1] ?? '';
    expect(summary).toMatch(
      /<a href="#milstolpe-kf-budget-date">Datum då det skedde måste vara ett datum skrivet ÅÅÅÅ-MM-DD/,
    );
    expect(page.html).toContain('<label for="milstolpe-kf-budget-date">Datum då det skedde</label>');
  });

  it('a second cancellation is refused with who cancelled and why', async () => {
    expect((await api(`/api/cycles/${y}/cancel`, { reason: 'Startad av misstag' })).status).toBe(200);
    const again = await api(`/api/cycles/${y}/cancel`, { reason: 'En gång till' });
    expect(again).toMatchObject({
      status: 409,
      body: { field: 'budgetYear', code: 'already-cancelled', params: { reason: 'Startad av misstag' } },
    });
  });

  it('a district’s programme: a revision without a programme says no-programme; one dialogue sent twice at once is recorded once', async () => {
    const revision = await api('/api/lup/farsta/revisions', { on: day(1), reason: 'Ny analys', end: ['belysning'] });
    expect(revision).toMatchObject({ status: 409, body: { field: 'programme', code: 'no-programme' } });
    const bad = await api('/api/lup/farsta/revisions', { on: day(1), reason: 'Ny analys', end: ['Ä'] });
    expect(bad).toMatchObject({ status: 400, body: { field: 'end.0' } });

    const dialogue = {
      id: 'samtidig',
      need: 'Behov',
      question: 'Fråga?',
      forms: ['Möte'],
      roomForInfluence: 'Påverkar ordningen.',
      participants: [{ group: 'invanare', count: 5 }],
      heldOn: day(1),
    };
    const both = await Promise.all([
      api('/api/lup/farsta/dialogues', dialogue),
      api('/api/lup/farsta/dialogues', dialogue),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body).toMatchObject({ field: 'id', code: 'already-recorded' });
    const events = await listAuditEvents(stack.harness.db.pool, 'lup/teststad/farsta');
    expect(events.filter((e) => e.kind === 'lup-dialogue-recorded')).toHaveLength(1);
    const rows = await stack.harness.db.pool.query("SELECT dialogue_id FROM lup_dialogues WHERE board_id = 'farsta'");
    expect(rows.rows).toEqual([{ dialogue_id: 'samtidig' }]);
  });
});
