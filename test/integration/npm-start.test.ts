import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { deliverableViewQuery } from '../../src/workflows/deliverable-messages';
import { RELOCATED_CLUSTERS_ROOT } from '../../src/stack/cluster-location';
import { startPrivatePostgres } from '../../src/stack/private-postgres';
import { eventually } from '../helpers/eventually';
import { cloneWorkingTree } from '../helpers/clone';
import { LiveProcess, liveProcesses, RunningProcess, startEntryPoint, startNpm } from '../helpers/processes';
import { loadRegistry, shippedRegistryPath } from '../../src/client/data-files';
import { shippedCalendars } from '../../src/client/start-cycles';
import { liveCalendars } from '../../src/domain/late-start';
import { localDateOf } from '../../src/domain/zoned-time';
import { cycleStatusQuery } from '../../src/workflows/budget-cycle-messages';
import { lupViewQuery, lupWorkflowId } from '../../src/workflows/lup-messages';

/**
 * `npm start` as a newcomer runs it: every service on embedded defaults, URLs printed, /healthz
 * and the Web UI answering, the worker doing real work, Ctrl-C stopping cleanly, and a second
 * start finding the data of the first. Then from a fresh clone in a folder only its owner can
 * enter, stopped as a process manager stops it: signals to the whole process group.
 */

let dataDir: string;
const started: RunningProcess[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'arshjul-start-'));
  // As root, PostgreSQL runs as `postgres`: a folder it may enter keeps the cluster in place.
  chmodSync(dataDir, 0o755);
});

afterAll(async () => {
  for (const stack of started) {
    if (stack.child.exitCode === null) stack.child.kill('SIGINT');
    await stack.exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function startStack(): RunningProcess {
  const stack = startEntryPoint('src/stack/start.ts', {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ARSHJUL_CACHE_DIR: process.env.ARSHJUL_CACHE_DIR,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    TEMPORAL_CLI_PATH: process.env.ARSHJUL_TEMPORAL_CLI,
    ARSHJUL_DATA_DIR: dataDir,
    ARSHJUL_RANDOM_PORTS: '1',
  });
  started.push(stack);
  return stack;
}

async function urlsOf(stack: RunningProcess): Promise<{ health: string; ui: string; grpc: string; postgres: string }> {
  await stack.waitForOutput(/Årshjul is running/);
  const out = stack.stdout();
  const field = (name: string): string => {
    const match = out.match(new RegExp(`${name}\\s+(\\S+)`));
    if (!match?.[1]) throw new Error(`no ${name} in:\n${out}`);
    return match[1];
  };
  return {
    health: field('Health'),
    ui: field('Temporal Web UI'),
    grpc: field('Temporal gRPC'),
    postgres: field('PostgreSQL'),
  };
}

async function stop(stack: RunningProcess): Promise<void> {
  stack.child.kill('SIGINT');
  const { code } = await stack.exited;
  expect(code).toBe(0);
  expect(stack.stderr()).toContain('Stopped.');
}

/** The cycles of the shipped calendars under way today (what npm start starts). */
function liveCyclesToday(): string[] {
  const registry = loadRegistry(shippedRegistryPath());
  const today = localDateOf(new Date(), 'Europe/Stockholm');
  return liveCalendars(
    shippedCalendars(registry, () => undefined),
    today,
  ).map((c) => `stockholm/${c.budgetYear}`);
}

/**
 * A deliverable as the cycle starts it, its reminder 8 s ahead (time to start on a loaded
 * machine: a past-due reminder is skipped), in a municipality of its own so that it does not
 * meet the shipped cycles.
 */
const input = async (now: number) => (await deliverablesDueAt(1, now + 8_000, { municipality: 'provstad' }))[0]!;
const reminderSent = (view: { history: Array<{ kind: string; outcome: string }> }) =>
  view.history.some((h) => h.kind === 'reminder' && h.outcome === 'sent');

describe('npm start', () => {
  let workflowId = '';

  it('serves the Web UI and /healthz, runs the worker, and stops cleanly on Ctrl-C', async () => {
    const stack = startStack();
    const urls = await urlsOf(stack);

    const health = await fetch(urls.health);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 'smtp', 'temporal', 'worker']);
    expect(Object.values(body.checks).every((c) => c.ok)).toBe(true);

    const ui = await fetch(urls.ui);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    // The worker does real work: a deliverable's reminder lands in the mail folder.
    const connection = await Connection.connect({ address: urls.grpc });
    const client = new Client({ connection });
    const deliverable = await input(Date.now());
    workflowId = deliverableIdOf(deliverable);
    const handle = await client.workflow.start('deliverableWorkflow', {
      args: [deliverable],
      workflowId,
      taskQueue: 'arshjul',
    });
    const mailDir = join(dataDir, 'mail');
    for (let i = 0; i < 300 && !(existsSync(mailDir) && readdirSync(mailDir).length > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readdirSync(mailDir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    const view = await eventually(() => handle.query(deliverableViewQuery), reminderSent);
    expect(reminderSent(view)).toBe(true);
    // The cycles under way today were started from the shipped Stockholm data.
    const registry = loadRegistry(shippedRegistryPath());
    const today = localDateOf(new Date(), 'Europe/Stockholm');
    const live = liveCalendars(
      shippedCalendars(registry, () => undefined),
      today,
    ).map((c) => `stockholm/${c.budgetYear}`);
    // (When the shipped calendars no longer cover today, none is live and the stack says so.)
    if (live.length === 0) expect(stack.stdout()).toMatch(/Cycles\s+—/);
    for (const cycleId of live) {
      expect(stack.stdout()).toContain(`${cycleId} (startad)`);
      const status = await client.workflow.getHandle(cycleId).query(cycleStatusQuery);
      expect(status.phases.length).toBeGreaterThan(5);
    }
    // Local development work under way: every live cycle's calendar has the LUP stages, each of
    // its districts (Farsta here) their programme's workflow (one across the years), and a LUP phase open today has Farsta's
    // deliverable open (on 2026-11-30: the 2028 cycle's analysis).
    const liveCals = liveCalendars(
      shippedCalendars(registry, () => undefined),
      today,
    );
    for (const calendar of liveCals) {
      expect(calendar.phases.some((p) => p.kind === 'deliverable' && p.lupStage)).toBe(true);
      const lup = await eventually(
        () =>
          client.workflow
            .getHandle(lupWorkflowId('stockholm', 'farsta'))
            .query(lupViewQuery)
            .catch(() => undefined),
        (view) => view !== undefined,
      );
      expect(lup?.boardId).toBe('farsta');
      const openToday = calendar.phases.filter(
        (p) =>
          p.kind === 'deliverable' && p.lupStage && 'date' in p.opens && p.opens.date <= today && today < p.deadline,
      );
      for (const phase of openToday) {
        const view = await eventually(
          () =>
            client.workflow
              .getHandle(`stockholm/${calendar.budgetYear}/${phase.id}/farsta`)
              .query(deliverableViewQuery)
              .catch(() => undefined),
          (v) => v?.state.stage === 'open',
        );
        expect(view?.state.stage).toBe('open');
      }
    }
    if (today === '2026-11-30') {
      expect(liveCals.map((c) => c.budgetYear)).toEqual([2026, 2027, 2028]);
    }
    await connection.close();

    // The printed keys sign in: SLK's reaches the API, the committee's the overview page.
    const key = (name: string) => stack.stdout().match(new RegExp(`${name}\\s+(arshjul_\\S+)`))?.[1];
    const me = await fetch(`${urls.health.replace('/healthz', '')}/api/me`, {
      headers: { authorization: `Bearer ${key('SLK \\(admin\\)')}` },
    });
    expect(await me.json()).toMatchObject({ grants: ['admin'], scopes: ['read', 'submit', 'admin'] });
    const liveYear = live[live.length - 1]?.split('/')[1];
    if (liveYear) {
      const page = await fetch(`${urls.health.replace('/healthz', '')}/oversikt/${liveYear}`, {
        headers: { cookie: `arshjul_token=${key('Committee')}` },
      });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Översikt budgetår ${liveYear}`);
    }

    // The development OpenID provider answers; its people are printed with role, user name and password.
    const issuer = stack.stdout().match(/OpenID provider\s+(\S+)/)?.[1];
    const discovery = `${issuer}/.well-known/openid-configuration`;
    expect(((await (await fetch(discovery)).json()) as { issuer: string }).issuer).toBe(issuer);
    expect(stack.stdout()).toContain(
      'Johan Ek (board:farsta:controller) — johan.ek@stockholm.example / farsta-controller',
    );

    await stop(stack);
    await expect(fetch(discovery)).rejects.toThrow();
  });

  it('keeps the data of the first start when started again', async () => {
    const stack = startStack();
    const urls = await urlsOf(stack);

    const connection = await Connection.connect({ address: urls.grpc });
    const client = new Client({ connection });
    const handle = client.workflow.getHandle(workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(reminderSent(await handle.query(deliverableViewQuery))).toBe(true);
    await connection.close();
    for (const cycleId of liveCyclesToday()) expect(stack.stdout()).toContain(`${cycleId} (körs redan)`);

    const pg = new PgClient({ connectionString: urls.postgres });
    await pg.connect();
    const kinds = await pg.query<{ kind: string }>('SELECT kind FROM audit_log WHERE workflow_id = $1 ORDER BY id', [
      workflowId,
    ]);
    const organisations = await pg.query<{ n: string }>(
      `SELECT count(*) AS n FROM organisations WHERE municipality = 'stockholm'`,
    );
    await pg.end();
    // The shipped registry was stored once, on the first start, for recipients at send time.
    expect(Number(organisations.rows[0]!.n)).toBe(loadRegistry(shippedRegistryPath()).organisations.length);
    expect(stack.stderr()).not.toContain('Organisationsregistret för stockholm är inläst');
    expect(kinds.rows.map((r) => r.kind)).toEqual(['deliverable-started', 'reminder-sent']);

    await stop(stack);
  });
});

describe('npm start from a fresh clone in a mode-700 folder', () => {
  // A home folder (/root) and `mktemp -d` are mode 700. As root, PostgreSQL runs as `postgres`,
  // who cannot enter such a folder: the case a newcomer meets first.
  let home: string;
  let clone: string;
  let stack: RunningProcess | undefined;
  const clusterOf = (): string => realpathSync(join(clone, '.data', 'postgres'));

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'arshjul-home-'));
    clone = join(home, 'arshjul');
    cloneWorkingTree(clone);
  });

  afterAll(() => {
    // A stop that failed must not leave servers running for the rest of the test run.
    if (stack?.child.exitCode === null) signalGroup(stack.child.pid!, 'SIGKILL');
    const cluster = existsSync(join(clone, '.data', 'postgres')) ? clusterOf() : undefined;
    for (const p of processesOf({ paths: cluster ? [clone, cluster] : [clone] })) process.kill(p.pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
    if (cluster?.startsWith(`${RELOCATED_CLUSTERS_ROOT}/`)) rmSync(dirname(cluster), { recursive: true, force: true });
  });

  function npmStart(): RunningProcess {
    stack = startNpm(['start'], clone, {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ARSHJUL_CACHE_DIR: process.env.ARSHJUL_CACHE_DIR,
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
      TEMPORAL_CLI_PATH: process.env.ARSHJUL_TEMPORAL_CLI,
      ARSHJUL_RANDOM_PORTS: '1',
    });
    return stack;
  }

  /**
   * Stops it as a process manager or CI does, without a terminal: `signals` to its whole process
   * group. Then it has said `Stopped.`, ended with 0, and nothing of it is left: not the group,
   * not the two servers (PostgreSQL and Temporal run in groups of their own), nothing working on
   * the clone or the cluster.
   */
  async function stopByGroupSignals(running: RunningProcess, signals: NodeJS.Signals[]): Promise<void> {
    const cluster = clusterOf();
    const servers = [pidIn(join(cluster, 'postmaster.pid')), pidIn(join(clone, '.data', 'temporal', 'server.pid'))];
    // In pid order on both sides: the process list need not be sorted.
    expect(
      processesOf({ pids: servers })
        .map((p) => p.pid)
        .sort((a, b) => a - b),
    ).toEqual([...servers].sort((a, b) => a - b));
    const group = running.child.pid!;
    for (const signal of signals) {
      signalGroup(group, signal);
      await new Promise((r) => setTimeout(r, 100));
    }
    const exit = await running.exited;

    expect(running.stderr().trimEnd()).toMatch(/Stopped\.$/);
    expect(exit).toEqual({ code: 0, signal: null });
    // (A server's last moment of exit may trail the stop that waited for it by a few ms.)
    const left = await eventually(
      async () => processesOf({ group, pids: servers, paths: [clone, cluster] }),
      (found) => found.length === 0,
      3_000,
    );
    // What the stack said while stopping tells why a server outlived it.
    if (left.length > 0) console.error(`npm start said:\n${running.stderr()}`);
    expect(left.map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  }

  it('answers /healthz, and SIGINTs to its process group stop everything, without a terminal', async () => {
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const first = npmStart();
    const urls = await urlsOf(first);
    const health = await fetch(urls.health);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    // The packages were found current, not installed again (see cloneWorkingTree).
    expect(first.stderr()).not.toContain('npm packages');

    // SIGINT to the group, and again, as relays deliver it a second time.
    await stopByGroupSignals(first, ['SIGINT', 'SIGINT']);
  });

  it('finds the same cluster and its data on a second start; SIGTERM to the group stops it', async () => {
    const cluster = clusterOf();
    const second = npmStart();
    const urls = await urlsOf(second);
    expect(clusterOf()).toBe(cluster);
    // The registry went into PostgreSQL on the first start and is still there.
    expect(second.stderr()).not.toContain('Organisationsregistret för stockholm är inläst');
    const pg = new PgClient({ connectionString: urls.postgres });
    await pg.connect();
    const organisations = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM organisations`);
    await pg.end();
    expect(Number(organisations.rows[0]!.n)).toBe(loadRegistry(shippedRegistryPath()).organisations.length);

    await stopByGroupSignals(second, ['SIGTERM']);
  });

  it('starts afresh once the data folder is removed, wherever the cluster was kept', async () => {
    rmSync(join(clone, '.data'), { recursive: true, force: true });
    const postgres = await startPrivatePostgres({ dataDir: join(clone, '.data', 'postgres'), ephemeral: true });
    try {
      expect(clusterOf()).toBe(postgres.dataDir);
      const pg = new PgClient({ connectionString: postgres.url });
      await pg.connect();
      const table = await pg.query<{ t: string | null }>(`SELECT to_regclass('organisations')::text AS t`);
      await pg.end();
      expect(table.rows[0]!.t).toBeNull();
    } finally {
      await postgres.stop();
    }
  });
});

/** Live processes of a process group, with one of `pids`, or whose command line names one of `paths`. */
function processesOf(of: { group?: number; pids?: number[]; paths?: string[] }): LiveProcess[] {
  return liveProcesses().filter(
    (p) => p.pgid === of.group || of.pids?.includes(p.pid) || of.paths?.some((path) => p.cmdline.includes(path)),
  );
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // Every process of the group has ended already.
  }
}

function pidIn(pidFile: string): number {
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
}
