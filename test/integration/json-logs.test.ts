import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApiToken } from '../../src/db/api-tokens';
import { listAuditEvents } from '../../src/db/audit-log';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { eventually } from '../helpers/eventually';
import { RunningProcess, startEntryPoint } from '../helpers/processes';
import { startDevServerEnv } from '../helpers/temporal';

/**
 * Issue 15: the production entry points write JSON lines on standard error (LOG_FORMAT unset),
 * every line an object; the API's line for a request carries the X-Request-Id its answer
 * returned, and a worker's line for a mail it sent carries the workflow's ID. Real PostgreSQL,
 * the dev server, a real SMTP server.
 */
interface Line {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let sink: SmtpSink;
const running: RunningProcess[] = [];

beforeAll(async () => {
  [env, db, sink] = await Promise.all([startDevServerEnv(), createTestDatabase('json_logs'), new SmtpSink().start()]);
});
afterAll(async () => {
  for (const p of running) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
  await sink?.stop();
  await db?.drop();
  await env?.teardown();
});

function start(script: string, extra: NodeJS.ProcessEnv): RunningProcess {
  const p = startEntryPoint(script, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    DATABASE_URL: db.url,
    SMTP_URL: sink.url,
    ...extra,
  });
  running.push(p);
  return p;
}

/** Every line of the process's standard error as JSON: a line that is not fails the test here. */
function linesOf(p: RunningProcess): Line[] {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        throw new Error(`not a JSON line: ${l}`);
      }
    });
}

async function started(p: RunningProcess, role: string): Promise<Line> {
  const lines = await eventually(
    async () => linesOf(p),
    (ls) => ls.some((l) => l.msg.startsWith(`Årshjul ${role} started`)),
    90_000,
  );
  return lines.find((l) => l.msg.startsWith(`Årshjul ${role} started`))!;
}

describe('JSON logs from the production entry points', () => {
  it('the API: every line JSON, an access line per request with the X-Request-Id it answered, the ID in the audit record', async () => {
    const api = start('src/app/api-main.ts', {
      LOG_FORMAT: 'json',
      HTTP_PORT: '0',
      TEMPORAL_TASK_QUEUE: 'json-logs-api',
    });
    const url = (await started(api, 'api')).url as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Our own ID: answered with a fresh UUID.
    const plain = await fetch(`${url}/healthz`);
    const generated = plain.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // A proxy's ID is kept when it is a plain token, replaced when it is not.
    const kept = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'lb-7f3a.42' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.42');
    const forged = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'a b {"level":"error"}' } });
    const replaced = forged.headers.get('x-request-id');
    expect(replaced).not.toContain(' ');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);

    // A write refused for its body: the access line names the caller's token id, the record the request.
    const token = await createApiToken(db.pool, { role: 'admin', label: 'json-logs', createdBy: 'test' });
    const refused = await fetch(`${url}/api/cycles/2031/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.secret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(400);
    const writeId = refused.headers.get('x-request-id')!;

    const lines = await eventually(
      async () => linesOf(api),
      (ls) => ls.filter((l) => l.msg === 'request').length >= 4,
      20_000,
    );
    const access = (id: string) => lines.find((l) => l.msg === 'request' && l.requestId === id);
    expect(access(generated!)).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/healthz',
      status: expect.any(Number) as unknown,
    });
    expect(access('lb-7f3a.42')).toBeDefined();
    expect(access(replaced!)).toBeDefined();
    expect(access(writeId)).toMatchObject({
      method: 'POST',
      route: '/api/cycles/:year/cancel',
      status: 400,
      actor: `token:${token.id}`,
      ms: expect.any(Number) as unknown,
    });
    for (const line of lines) expect(Date.parse(line.time)).not.toBeNaN();
    // Ids only: the token's label and its secret stay out of the log.
    expect(api.stderr()).not.toContain(token.secret);
    expect(api.stderr()).not.toContain('json-logs"');

    const events = await listAuditEvents(db.pool, 'stockholm/2031');
    expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ outcome: 'refused', requestId: writeId })]);

    api.child.kill('SIGTERM');
    expect((await api.exited).code).toBe(0);
    expect(linesOf(api).length).toBeGreaterThan(0); // every line, to the last, is JSON
  });

  it('the worker: the line for a mail it sent carries the workflow ID', async () => {
    const taskQueue = 'json-logs-worker';
    // LOG_FORMAT unset: the production default.
    const worker = start('src/app/worker-main.ts', { TEMPORAL_TASK_QUEUE: taskQueue });
    await started(worker, 'worker');
    const [input] = await deliverablesDueAt(1, Date.now() + 5_000, { municipality: 'jsonlogs' });
    const workflowId = deliverableIdOf(input!);
    await env.client.workflow.start('deliverableWorkflow', { args: [input!], workflowId, taskQueue });
    await sink.waitFor(
      (mails) => mails.some((m) => m.envelope.to.some((to) => to.endsWith('@jsonlogs.example'))),
      60_000,
    );

    const lines = await eventually(
      async () => linesOf(worker),
      (ls) => ls.some((l) => l.msg === 'Mail sent'),
      20_000,
    );
    const sent = lines.find((l) => l.msg === 'Mail sent')!;
    expect(sent).toMatchObject({
      level: 'info',
      component: 'activity',
      workflowId,
      runId: expect.any(String) as unknown,
      workflowType: 'deliverableWorkflow',
      activityType: expect.any(String) as unknown,
      kind: 'reminder',
      recipients: expect.any(Number) as unknown,
    });
    expect(sent).not.toHaveProperty('taskToken');
    // The addresses stay out of the log.
    expect(worker.stderr()).not.toContain('@jsonlogs.example');

    worker.child.kill('SIGTERM');
    await worker.exited;
    expect(linesOf(worker).length).toBeGreaterThan(0);
  });
});
