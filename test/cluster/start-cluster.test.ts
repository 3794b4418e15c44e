import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RELOCATED_CLUSTERS_ROOT } from '../../src/stack/cluster-location';
import { cloneWorkingTree } from '../helpers/clone';
import { eventually } from '../helpers/eventually';
import { LiveProcess, liveProcesses, RunningProcess, startNpm } from '../helpers/processes';

/**
 * `npm run start:cluster` as a newcomer runs it, from a fresh clone in a folder only its owner
 * can enter: Temporal's own server on PostgreSQL, two workers and two API processes serving, each
 * API's /healthz naming the server on PostgreSQL; signals to its process group stop everything.
 */
let home: string;
let clone: string;
let stack: RunningProcess | undefined;
const clusterDir = (): string => realpathSync(join(clone, '.data', 'cluster', 'postgres'));

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'arshjul-cluster-home-'));
  clone = join(home, 'arshjul');
  cloneWorkingTree(clone);
});

afterAll(() => {
  if (stack?.child.exitCode === null) signalGroup(stack.child.pid!, 'SIGKILL');
  const cluster = existsSync(join(clone, '.data', 'cluster', 'postgres')) ? clusterDir() : undefined;
  for (const p of processesOf({ paths: cluster ? [clone, cluster] : [clone] })) process.kill(p.pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
  if (cluster?.startsWith(`${RELOCATED_CLUSTERS_ROOT}/`)) rmSync(dirname(cluster), { recursive: true, force: true });
});

it('serves two workers and two API processes on Temporal’s own server, and stops them all on SIGINT', async () => {
  expect(statSync(home).mode & 0o777).toBe(0o700);
  stack = startNpm(['run', 'start:cluster'], clone, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ARSHJUL_CACHE_DIR: process.env.ARSHJUL_CACHE_DIR,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    ARSHJUL_RANDOM_PORTS: '1',
  });
  await stack.waitForOutput(/Årshjul \(cluster\) is running/, 300_000);
  const out = stack.stdout();
  const apis = [...out.matchAll(/^\s+api-\d+\s+(http:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]!);
  const workers = [...out.matchAll(/^\s+worker-\d+\s/gm)];
  expect(apis).toHaveLength(2);
  expect(workers).toHaveLength(2);
  expect(out).toMatch(/Cycles\s+stockholm\/20\d\d \(startad\)/);
  for (const api of apis) {
    const health = (await (await fetch(`${api}/healthz`)).json()) as {
      ok: boolean;
      checks: Record<string, { detail: string }>;
    };
    expect(health.ok).toBe(true);
    expect(health.checks.temporal!.detail).toMatch(/^server 1\.29\.1 on postgres12/);
  }
  // Both worker processes poll: each says so in its log, and they are separate processes.
  const workerProcesses = processesOf({ paths: [join(clone, 'src', 'app', 'worker-main.ts')] });
  const apiProcesses = processesOf({ paths: [join(clone, 'src', 'app', 'api-main.ts')] });
  expect(workerProcesses).toHaveLength(2);
  expect(apiProcesses).toHaveLength(2);
  const servers = processesOf({ paths: [join(clone, '.data', 'cluster', 'temporal')] });
  expect(servers.length).toBeGreaterThan(0);

  const group = stack.child.pid!;
  signalGroup(group, 'SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  signalGroup(group, 'SIGINT');
  const exit = await stack.exited;
  expect(stack.stderr().trimEnd()).toMatch(/Stopped\.$/);
  expect(exit).toEqual({ code: 0, signal: null });
  const left = await eventually(
    async () => processesOf({ group, paths: [clone, clusterDir()] }),
    (found) => found.length === 0,
    5_000,
  );
  if (left.length > 0) console.error(`npm run start:cluster said:\n${stack.stderr()}`);
  expect(left.map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
}, 420_000);

function processesOf(of: { group?: number; paths?: string[] }): LiveProcess[] {
  return liveProcesses().filter((p) => p.pgid === of.group || of.paths?.some((path) => p.cmdline.includes(path)));
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // Every process of the group has ended already.
  }
}
