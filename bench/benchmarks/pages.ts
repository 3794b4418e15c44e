import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { startCycle } from '../../src/client/start-cycles';
import { createApiToken } from '../../src/db/api-tokens';
import { createPool } from '../../src/db/database';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { localDateOf } from '../../src/domain/zoned-time';
import { poolSizeFor } from '../../src/worker/create-worker';
import type { BenchContext } from '../lib/context';
import { loadTemplateFile, shippedTemplatesDir } from '../../src/client/templates';
import { syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import { BenchOptions, BenchResult, Figure, goal, scaled } from '../lib/results';
import { startRunStack } from '../lib/stack';
import { interleaved, mapLimit, median, percentile, round, waitUntil } from '../lib/stats';
import { profileThisProcess, summariseProfiles, topFunctions } from '../lib/profile';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Issue 12's load: 50 people signed in at once, 500 requests per page. */
const PEOPLE = 50;
const FULL_REQUESTS = 500;
/** Stockholm's size: 45 boards × 7 deliverable phases. */
const BOARDS = 45;
const PHASES = 7;
const REQUEST_TIMEOUT_MS = 60_000;
const LOAD_CLIENT = join(__dirname, '..', 'lib', 'load-client.mjs');
const run = promisify(execFile);

type Target = 'api' | 'overview' | 'board' | 'cycle' | 'form';
const TARGETS: Target[] = ['api', 'overview', 'board', 'cycle', 'form'];
const TITLES: Record<Target, string> = {
  api: 'baseline: API deliverables list (GET /api/cycles/:year/deliverables)',
  overview: "the committee's overview (/oversikt/:year)",
  board: "a board's page (/namnd/:id)",
  cycle: "SLK's cycle page (/cykel/:year)",
  form: "a board's report form (/namnd/:id/:year/:phaseId)",
};
/** The shipped template the first phase names: the report form the board fills in. */
const FORM_TEMPLATE = 'tertialrapport-1';

interface Load {
  latencies: number[];
  errors: number;
  firstError?: string;
  seconds: number;
}

/**
 * `people` loops fetching `url` until `total` requests were made, each reading the whole body, run
 * by bench/lib/load-client.mjs in a process of its own (see there why).
 */
async function load(url: string, headers: Record<string, string>, total: number, people: number): Promise<Load> {
  const input = JSON.stringify({ url, headers, total, people, timeoutMs: REQUEST_TIMEOUT_MS });
  const { stdout } = await run(process.execPath, [LOAD_CLIENT, input], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Load;
}

/**
 * (Issue 12) The web pages under load: 50 signed-in people at once on the committee's overview,
 * a board's page and SLK's cycle page of a Stockholm-size cycle (45 boards × 7 phases, a third of
 * the deliverables submitted, half of the phases reviewed by SLK), started on a file-backed dev
 * server with a worker process; the API's deliverables list (one read-model query) is the
 * baseline, loaded the same way in the same run, the targets interleaved in rotating order.
 */
export async function pages(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const requests = scaled(FULL_REQUESTS, options.scale, PEOPLE);
  const registry = syntheticRegistry(BOARDS);
  const stack = await startRunStack(ctx, 'file', 'pages', { registry });
  // The HTTP server's pool as in production (src/worker/services.ts), apart from the worker's.
  const pool = createPool(stack.db.url, poolSizeFor({ worker: false, http: true }));
  let app: FastifyInstance | undefined;
  const runs: Record<string, unknown>[] = [];
  const profiles: Record<string, unknown>[] = [];
  let deliverables = 0;
  let submitted = 0;
  let reviewQueue = 0;
  const boardId = 'board-00000';
  try {
    const base = syntheticCalendar(PHASES, Date.now());
    // Every second phase is reviewed by SLK: its submissions wait in the cycle page's queue. The
    // first phase is a report with a template (a form), open for every board.
    const calendar = cycleCalendarSchema.parse({
      ...base,
      phases: base.phases.map((p, i) => ({
        ...p,
        reviewRequired: i % 2 === 1,
        ...(i === 0 && { template: FORM_TEMPLATE }),
      })),
    });
    const formPhase = calendar.phases[0]!.id;
    const template = loadTemplateFile(join(shippedTemplatesDir(), `${FORM_TEMPLATE}.yaml`)).template;
    if (!template) throw new Error(`the shipped template ${FORM_TEMPLATE} does not load`);
    const year = calendar.budgetYear;
    const today = localDateOf(new Date(), 'Europe/Stockholm');
    const ops = createCycleOperations({
      client: stack.client,
      pool,
      taskQueue: stack.taskQueue,
      municipality: calendar.municipality,
      today: () => today,
    });
    await startCycle(stack.client, pool, stack.taskQueue, calendar, registry, today, 'bench', [template]);
    const expected = BOARDS * PHASES;
    await waitUntil(
      async () => (await ops.deliverables(year)).filter((d) => d.stage === 'open').length,
      (n) => n === expected,
      300_000,
      `${expected} deliverables open`,
      1000,
    );
    deliverables = expected;
    // Every district submits everything (a third of the boards): SLK has a queue, boards a history.
    // The report form's phase stays open: the form is the one a board fills in.
    const toSubmit = (await ops.deliverables(year)).filter(
      (d) => Number(d.boardId.slice(-5)) % 3 === 0 && d.phaseId !== formPhase,
    );
    await mapLimit(toSubmit, 8, (d) =>
      ops.actOnDeliverable(
        year,
        d.phaseId,
        d.boardId,
        'submit',
        { documentRef: `${d.boardId}/${d.phaseId}`, comment: 'Inlämnad av benchmarken.' },
        'bench',
      ),
    );
    submitted = toSubmit.length;
    reviewQueue = toSubmit.filter((d) => Number(d.phaseId.slice(-2)) % 2 === 0).length;

    const token = async (role: string) =>
      (await createApiToken(pool, { role, label: `bench ${role}`, createdBy: 'bench' })).secret;
    const [admin, committee, board] = [await token('admin'), await token('committee'), await token(`board:${boardId}`)];
    app = await buildHttpServer({ probes: {}, app: { ops, pool, publicUrl: 'https://arshjul.bench.example' } });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const cookie = (secret: string) => ({ cookie: `arshjul_token=${secret}` });
    const requestsOf: Record<Target, { url: string; headers: Record<string, string> }> = {
      api: { url: `${url}/api/cycles/${year}/deliverables`, headers: { authorization: `Bearer ${committee}` } },
      overview: { url: `${url}/oversikt/${year}`, headers: cookie(committee) },
      board: { url: `${url}/namnd/${boardId}`, headers: cookie(board) },
      cycle: { url: `${url}/cykel/${year}`, headers: cookie(admin) },
      form: { url: `${url}/namnd/${boardId}/${year}/${formPhase}`, headers: cookie(board) },
    };
    // Each page once, so a page that does not answer fails here with its reason, not as a figure.
    for (const [target, r] of Object.entries(requestsOf)) {
      const response = await fetch(r.url, { headers: r.headers });
      if (response.status !== 200) throw new Error(`${target}: HTTP ${response.status} before the load`);
      await response.arrayBuffer();
    }

    for (const { rep, variant } of interleaved<Target>(TARGETS, options.reps)) {
      const r = requestsOf[variant];
      const outcome = await load(r.url, r.headers, requests, PEOPLE);
      const run = {
        rep,
        target: variant,
        requests: outcome.latencies.length,
        requestsPerSecond: round(outcome.latencies.length / outcome.seconds, 1),
        p50Ms: round(percentile(outcome.latencies, 50), 1),
        p95Ms: round(percentile(outcome.latencies, 95), 1),
        maxMs: round(Math.max(...outcome.latencies), 1),
        errors: outcome.errors,
        ...(outcome.firstError && { firstError: outcome.firstError }),
      };
      runs.push(run);
      ctx.log(`  pages rep ${rep + 1}: ${JSON.stringify(run)}`);
    }

    // Where a request's time goes: the SQL statements one request sends (the pool counted), and a
    // V8 CPU profile of this process (the HTTP server; the load runs elsewhere) during one more load each.
    if (options.profile) {
      for (const [target, r] of Object.entries(requestsOf)) {
        const statements: string[] = [];
        const query = pool.query.bind(pool);
        pool.query = ((...args: Parameters<typeof pool.query>) => {
          const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
          statements.push(text.replace(/\s+/g, ' ').slice(0, 60));
          return query(...args);
        }) as typeof pool.query;
        let bytes = 0;
        try {
          bytes = (await (await fetch(r.url, { headers: r.headers })).arrayBuffer()).byteLength;
        } finally {
          pool.query = query as typeof pool.query;
        }
        const dir = join(ctx.scratch, `cpu-profile-pages-${target}`);
        const outcome = await profileThisProcess(dir, target, () => load(r.url, r.headers, requests, PEOPLE));
        const summary = summariseProfiles(dir);
        const found = {
          target,
          responseBytes: bytes,
          statementsPerRequest: statements.length,
          statements,
          requestsPerSecond: round(outcome.latencies.length / outcome.seconds, 1),
          cpuMsPerRequest: round(summary.sampledNonIdleMs / outcome.latencies.length, 2),
          byCategory: summary.byCategory,
          top: topFunctions(dir, undefined, 12),
          ours: topFunctions(dir, undefined, 8, true),
        };
        profiles.push(found);
        ctx.log(`  pages profile: ${JSON.stringify(found)}`);
      }
    }
  } finally {
    await app?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await stack.close();
  }

  const of = (target: Target, key: string) =>
    median(runs.filter((r) => r.target === target).map((r) => r[key] as number));
  const errorsOf = (target: Target) =>
    runs.filter((r) => r.target === target).reduce((n, r) => n + (r.errors as number), 0);
  const figures: Figure[] = [];
  for (const target of TARGETS) {
    const name = TITLES[target];
    const p95 = of(target, 'p95Ms');
    const errors = errorsOf(target);
    figures.push(
      { name: `${name}: requests/s`, value: of(target, 'requestsPerSecond'), unit: '/s' },
      { name: `${name}: p50 latency`, value: of(target, 'p50Ms'), unit: 'ms' },
      target === 'api'
        ? { name: `${name}: p95 latency`, value: p95, unit: 'ms' }
        : goal(`${name}: p95 latency`, p95, 'ms', '≤ 300 ms', p95 <= 300),
      { name: `${name}: max latency`, value: of(target, 'maxMs'), unit: 'ms' },
      goal(`${name}: errors`, errors, '', '0', errors === 0),
    );
    if (target !== 'api') {
      figures.push({
        name: `${name}: ratio requests/s page / API`,
        value: round(of(target, 'requestsPerSecond') / of('api', 'requestsPerSecond'), 3),
      });
    }
  }
  return {
    id: 'pages',
    title: 'Web pages under load (50 signed-in people at once)',
    mode: 'file',
    size: {
      people: PEOPLE,
      'requests per page and rep': requests,
      'issue size (requests per page)': FULL_REQUESTS,
      scale: options.scale,
      reps: options.reps,
      deliverables,
      submitted,
      'review queue': reviewQueue,
    },
    figures,
    runs,
    notes: [
      `A synthetic Stockholm-size cycle (${BOARDS} boards × ${PHASES} phases) started on a file-backed Temporal dev server with a worker process; every third board (the districts) submitted all its deliverables but the first phase's, a report with the shipped template ${FORM_TEMPLATE} that stays open (the report form target, ${boardId}'s, empty), so SLK's cycle page lists ${reviewQueue} submissions waiting for review and ${boardId}'s page has ${PHASES - 1} submitted deliverables and one open.`,
      `${PEOPLE} concurrent fetch loops per target (cookie arshjul_token for the pages, a bearer token for the API), ${requests} requests per target and repetition, targets interleaved in rotating order; figures are medians over the repetitions, errors their sum (a non-200 answer or no answer within ${REQUEST_TIMEOUT_MS / 1000} s).`,
      ...profiles.map(
        (p) => `Profile (one more load, V8 profiler on; SQL statements of one request): ${JSON.stringify(p)}`,
      ),
      'The HTTP server runs in the benchmark process (the worker in a process of its own, as production runs them), with the production pool of 10 connections; the load generator (bench/lib/load-client.mjs) runs in a process of its own, as the people would on their own machines, but shares the machine’s two cores with the server, the worker, Temporal and PostgreSQL.',
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
