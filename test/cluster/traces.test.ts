import { join } from 'node:path';
import { writeWorkflowBundle } from '../../src/app/workflow-bundle';
import { createApiToken } from '../../src/db/api-tokens';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { startCycle } from '../../src/client/start-cycles';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { AppProcess, startAppProcess } from '../../src/stack/app-process';
import { freePort } from '../../src/stack/free-port';
import { smallRegistry } from '../fixtures/small-registry';
import { ClusterStack, startClusterStack } from '../helpers/cluster-stack';
import { eventually } from '../helpers/eventually';
import { OtlpReceiver, ReceivedSpan } from '../helpers/otlp-receiver';

/**
 * Traces on the production shape: a worker process and an API process started as production
 * starts them, with OTEL_EXPORTER_OTLP_ENDPOINT naming an OTLP/HTTP receiver. One API request
 * that moves a deliverable is one trace, from the HTTP request through the Temporal client's
 * update, the workflow's handling of it and the activities it runs, down to their SQL statements
 * and the SMTP send; linked by trace id and parent span ids across the two processes. With the
 * variable unset, nothing is exported.
 */
const YEAR = 2092;
const PHASE = 'rapport';
let stack: ClusterStack;
let receiver: OtlpReceiver;
const tokens = { admin: '', farsta: '', jarva: '' };
const untraced: AppProcess[] = [];

beforeAll(async () => {
  receiver = await new OtlpReceiver().start();
  stack = await startClusterStack('traces', {
    workers: 1,
    apis: 1,
    municipality: smallRegistry.municipality,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
  });
  await withTransaction(stack.db.pool, (tx) => replaceRegistry(tx, smallRegistry));
  for (const [name, role] of [
    ['admin', 'admin'],
    ['farsta', 'board:farsta'],
    ['jarva', 'board:jarva'],
  ] as const) {
    tokens[name] = (await createApiToken(stack.db.pool, { role, label: `traces ${name}`, createdBy: 'test' })).secret;
  }
  const today = localDateOf(new Date(), 'Europe/Stockholm');
  const calendar = cycleCalendarSchema.parse({
    municipality: smallRegistry.municipality,
    budgetYear: YEAR,
    openingOnNonBusinessDay: 'stay',
    phases: [
      {
        id: PHASE,
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        // Opened yesterday: the cycle opens it at once.
        opens: { date: addDays(today, -1) },
        deadline: addDays(today, 20),
        reviewRequired: true,
        audience: { boards: ['farsta', 'jarva'] },
      },
    ],
  });
  await startCycle(stack.client, stack.db.pool, stack.taskQueue, calendar, smallRegistry, today, 'test', []);
}, 300_000);

afterAll(async () => {
  for (const p of untraced) await p.stop();
  await stack?.stop();
  await receiver?.stop();
}, 120_000);

const call = async (url: string, who: keyof typeof tokens, path: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON they expect
  return { status: response.status, body: (await response.json()) as any };
};

const waitUntilOpen = (url: string, board: string) =>
  eventually(
    () => call(url, 'admin', `/api/cycles/${YEAR}/deliverables/${PHASE}/${board}`),
    (r) => r.status === 200 && r.body?.state?.stage === 'open',
    90_000,
  );

/**
 * The request's trace: its server span (by route: one request per route is traced here) and
 * every span that carries its trace id.
 */
function traceOf(routeEnd: string): { root: ReceivedSpan; spans: ReceivedSpan[] } | undefined {
  const root = receiver.spans.find(
    (s) => s.service === 'arshjul-api' && String(s.attributes['http.route'] ?? '').endsWith(routeEnd),
  );
  return root && { root, spans: receiver.spans.filter((s) => s.traceId === root.traceId) };
}

/** The names from a span up to its trace's root, through the parent ids. */
function lineage(span: ReceivedSpan, spans: ReceivedSpan[]): string[] {
  const names = [span.name];
  let current: ReceivedSpan | undefined = span;
  while (current?.parentSpanId) {
    const parentId: string = current.parentSpanId;
    current = spans.find((s) => s.spanId === parentId);
    names.push(current ? current.name : `(missing ${parentId})`);
  }
  return names;
}

describe('traces exported to an OTLP endpoint', () => {
  it('follows an approval from the HTTP request to the workflow, the activity, SQL and SMTP', async () => {
    const api = stack.apis[0]!.url;
    await waitUntilOpen(api, 'farsta');
    const d = `/api/cycles/${YEAR}/deliverables/${PHASE}/farsta`;
    expect(await call(api, 'farsta', `${d}/submit`, { documentRef: 'Dnr 1' })).toMatchObject({ status: 200 });
    expect(await call(api, 'admin', `${d}/approve`, {})).toMatchObject({ status: 200 });
    // The approval mails Farsta's registrator; the spans arrive within the batch delay after.
    const approved = await eventually(
      async () => traceOf('/approve'),
      (t) => t !== undefined && t.spans.some((s) => s.name === 'smtp send'),
      60_000,
    );
    const { root, spans } = approved!;
    const named = (name: string) => spans.filter((s) => s.name === name);
    process.stderr.write(
      `traces: the approval's trace has ${spans.length} spans: ${[...new Set(spans.map((s) => s.name))].join(', ')}\n`,
    );

    // The request is the trace's root, in the API process.
    expect(root.parentSpanId).toBeUndefined();
    expect(root.name).toBe(`POST ${root.attributes['http.route']}`);
    expect(root.attributes['http.response.status_code']).toBe(200);

    // The API's Temporal client, the worker's workflow and activity, the SMTP send: one chain.
    const [smtp] = named('smtp send');
    expect(smtp!.service).toBe('arshjul-worker');
    expect(lineage(smtp!, spans)).toEqual([
      'smtp send',
      'RunActivity:sendNotification',
      'StartActivity:sendNotification',
      'HandleUpdate:approve',
      'StartWorkflowUpdate:approve',
      root.name,
    ]);
    const services = Object.fromEntries(spans.map((s) => [s.name, s.service]));
    expect(services['StartWorkflowUpdate:approve']).toBe('arshjul-api');
    expect(services['HandleUpdate:approve']).toBe('arshjul-worker');
    expect(named('StartWorkflowUpdate:approve')[0]!.attributes.temporalWorkflowId).toMatch(/farsta/);

    // SQL: the activities' statements (the send log, the record) under the activity that ran
    // them, and the API's own (the token's look-up) under the request.
    const sql = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    const underActivity = sql.filter(
      (s) => s.service === 'arshjul-worker' && lineage(s, spans)[1]?.startsWith('RunActivity:'),
    );
    expect(underActivity.length).toBeGreaterThan(0);
    expect(lineage(underActivity[0]!, spans).at(-1)).toBe(root.name);
    expect(sql.some((s) => s.service === 'arshjul-api' && s.parentSpanId === root.spanId)).toBe(true);
  }, 180_000);

  it('follows a hand-in to the workflow update and its record', async () => {
    const submitted = await eventually(
      async () => traceOf('/submit'),
      (t) => t !== undefined && t.spans.some((s) => s.name === 'RunActivity:recordEvent'),
      30_000,
    );
    const { root, spans } = submitted!;
    const run = spans.find((s) => s.name === 'RunActivity:recordEvent')!;
    expect(lineage(run, spans)).toEqual([
      'RunActivity:recordEvent',
      'StartActivity:recordEvent',
      'HandleUpdate:submit',
      'StartWorkflowUpdate:submit',
      root.name,
    ]);
    expect(spans.some((s) => s.attributes['db.system'] === 'postgresql' && s.parentSpanId === run.spanId)).toBe(true);
  }, 60_000);
});

describe('traces with OTEL_EXPORTER_OTLP_ENDPOINT unset', () => {
  it('exports nothing, though an OTLP exporter would find the receiver through the variables', async () => {
    // The traced processes stop (flushing what they had); then a worker and an API process
    // without the variable take over the same task queue and database.
    await stack.apis[0]!.stop();
    await stack.workers[0]!.stop();
    const before = receiver.requests;
    const plainBundle = join(stack.dir, 'workflow-bundle-plain.js');
    await writeWorkflowBundle(plainBundle);
    const env: NodeJS.ProcessEnv = {
      ...stack.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      // The traces-only variable that an OTLP exporter would read: a provider installed despite
      // the unset endpoint would send its spans here.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
      WORKFLOW_BUNDLE_PATH: plainBundle,
    };
    untraced.push(
      await startAppProcess({
        name: 'worker-plain',
        entry: 'worker-main',
        env,
        logFile: join(stack.dir, 'worker-plain.log'),
      }),
    );
    const port = await freePort();
    untraced.push(
      await startAppProcess({
        name: 'api-plain',
        entry: 'api-main',
        env: { ...env, HTTP_PORT: String(port) },
        logFile: join(stack.dir, 'api-plain.log'),
      }),
    );
    const api = `http://127.0.0.1:${port}`;
    await waitUntilOpen(api, 'jarva');
    const d = `/api/cycles/${YEAR}/deliverables/${PHASE}/jarva`;
    expect(await call(api, 'jarva', `${d}/submit`, { documentRef: 'Dnr 2' })).toMatchObject({ status: 200 });
    expect(await call(api, 'admin', `${d}/approve`, {})).toMatchObject({ status: 200 });
    // Three batch delays: what a tracing process would have sent by now.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(receiver.requests - before).toBe(0);
  }, 180_000);
});
