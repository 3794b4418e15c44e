import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './context';
import { childPids, cpuSecondsOf } from './processes';
import type { RunStack } from './stack';
import { round } from './stats';

/** CPU seconds used so far by each process of a run: worker, Temporal server, PostgreSQL, this process (client + SMTP sink). */
export interface CpuSnapshot {
  worker: number;
  temporalServer: number;
  postgres: number;
  benchProcess: number;
}

export function cpuSnapshot(ctx: BenchContext, stack: RunStack): CpuSnapshot {
  return cpuSnapshotOf(ctx, { workers: [stack.worker.pid], server: stack.server.pid() });
}

/** The same, by process IDs: the workers' CPU summed (a run with more than one worker). */
export function cpuSnapshotOf(ctx: BenchContext, pids: { workers: number[]; server: number }): CpuSnapshot {
  const postmaster = Number(readFileSync(join(ctx.pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const own = process.cpuUsage();
  return {
    worker: pids.workers.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
    temporalServer: cpuSecondsOf(pids.server),
    postgres: cpuSecondsOf(postmaster) + childPids(postmaster).reduce((sum, pid) => sum + cpuSecondsOf(pid), 0),
    benchProcess: (own.user + own.system) / 1e6,
  };
}

/**
 * CPU seconds of this process's children that have exited and been reaped so far (cutime +
 * cstime): the CPU of a child process measured across its whole life, once it is gone.
 */
export function reapedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot {
  return {
    worker: round(b.worker - a.worker, 2),
    temporalServer: round(b.temporalServer - a.temporalServer, 2),
    postgres: round(b.postgres - a.postgres, 2),
    benchProcess: round(b.benchProcess - a.benchProcess, 2),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Who a sampled frame belongs to: our code, the SDK, a library, Node, V8. */
function category(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    return 'V8 builtins and native bindings (JSON, Buffer, sockets, …)';
  }
  if (url.includes('workflow-bundle'))
    return 'workflow bundle (our workflow code + the SDK workflow runtime, in the isolate)';
  if (url.includes('/node_modules/@temporalio/')) return '@temporalio SDK (Node side)';
  const lib = url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (lib) {
    const name = lib[1]!;
    if (['pg', 'pg-protocol', 'pg-pool', 'pg-types'].includes(name)) return 'pg (PostgreSQL client)';
    if (name === 'nodemailer') return 'nodemailer (SMTP client)';
    if (name === 'tsx' || name === 'esbuild' || name === 'get-tsconfig') return 'tsx loader';
    return `library: ${name}`;
  }
  if (url.includes('/src/')) return 'Årshjul (src/)';
  if (url.startsWith('node:')) return 'Node.js core';
  return 'other';
}

/** A window of the worker's monotonic clock, in µs: [from, to]. */
export type ProfileWindow = [number, number];

/** Every sample of every profile in `dir` (one per thread) inside the window, with its node and its duration in ms. */
function eachSample(
  dir: string,
  window: ProfileWindow | undefined,
  visit: (node: ProfileNode, ms: number) => void,
): number {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (window && (t < window[0] || t > window[1])) return;
      const node = nodes.get(id);
      if (node) visit(node, delta / 1000);
    });
  }
  return files.length;
}

/** Self time by category, over every profile in `dir` (one per thread), in ms; only inside `window` when given. */
export function summariseProfiles(
  dir: string,
  window?: ProfileWindow,
): { threads: number; sampledNonIdleMs: number; byCategory: Record<string, number> } {
  const byCategory: Record<string, number> = {};
  let busyMs = 0;
  const threads = eachSample(dir, window, (node, ms) => {
    const c = category(node);
    byCategory[c] = (byCategory[c] ?? 0) + ms;
    if (c !== 'idle') busyMs += ms;
  });
  const sorted = Object.entries(byCategory)
    .map(([k, v]) => [k, round(v, 0)] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  return { threads, sampledNonIdleMs: round(busyMs, 0), byCategory: Object.fromEntries(sorted) };
}

/** The top self-time functions (any category but idle), for the report; `onlyOurs` keeps src/ only. */
export function topFunctions(
  dir: string,
  window?: ProfileWindow,
  k = 8,
  onlyOurs = false,
): { fn: string; ms: number }[] {
  const totals = new Map<string, number>();
  eachSample(dir, window, (node, ms) => {
    const c = category(node);
    if (c === 'idle' || (onlyOurs && c !== 'Årshjul (src/)')) return;
    const where = node.callFrame.url
      ? node.callFrame.url
          .replace(/^.*\/node_modules\//, '')
          .replace(/^.*\/src\//, 'src/')
          .replace(/^.*workflow-bundle.*$/, 'workflow bundle')
      : 'native';
    const key = `${node.callFrame.functionName || '(anonymous)'} (${where})`;
    totals.set(key, (totals.get(key) ?? 0) + ms);
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([fn, ms]) => ({ fn, ms: round(ms, 0) }));
}

/**
 * A V8 CPU profile of this process while `run` goes, written into `dir` as one .cpuprofile (the
 * format summariseProfiles reads): for benchmarks whose server runs in the benchmark process.
 */
export async function profileThisProcess<T>(dir: string, name: string, run: () => Promise<T>): Promise<T> {
  const { Session } = await import('node:inspector/promises');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await run();
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}
