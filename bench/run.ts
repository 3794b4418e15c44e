/**
 * `npm run bench [-- --scale 0.1 --only start-rate,burst --reps 3 --modes file,memory]`
 *
 * Runs the benchmarks of issues 7 and 16 at the issues' sizes against real servers (Temporal CLI dev server, file-backed and
 * in memory; the time-skipping server; a private PostgreSQL cluster; a loopback SMTP server),
 * each against a baseline measured in the same run, interleaved, median of the repetitions.
 * Writes bench/results/<id>.json and bench/results/summary.md with the default options, or with
 * --merge (re-runs the benchmarks named by --only and keeps the others' results); any other run
 * writes under $TMPDIR unless --out names a folder, so a quick run never overwrites the full
 * results. --summary-only writes summary.md again from the JSON files and findings.md.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { installRuntime } from '../src/worker/runtime';
import { BenchContext, createBenchContext } from './lib/context';
import { killAllTracked, trackedCount } from './lib/processes';
import { BenchOptions, BenchResult } from './lib/results';
import { machineInfo, readResults, versions, writeResults } from './lib/report';
import { burst } from './benchmarks/burst';
import { chaos } from './benchmarks/chaos';
import { clusterCompare } from './benchmarks/cluster-compare';
import { nationalBurst } from './benchmarks/national-burst';
import { notifyThroughput } from './benchmarks/notify-throughput';
import { overviewQuery } from './benchmarks/overview-query';
import { pages } from './benchmarks/pages';
import { burstPeer } from './benchmarks/pgboss-peer';
import { startRate } from './benchmarks/start-rate';
import { workerMemory } from './benchmarks/worker-memory';
import { yearSimulation } from './benchmarks/year-simulation';

interface Args extends BenchOptions {
  /** Set by --scale: the same fraction of the issue's sizes for every benchmark. */
  scaleGiven: boolean;
  /** Set by --reps: the same number of repetitions for every benchmark. */
  repsGiven: boolean;
  only?: string[];
  out?: string;
  keep: boolean;
  /** Keep the results in the output folder that this run does not measure again. */
  merge: boolean;
  /** Measure nothing: write summary.md again from the JSON results (after editing findings.md). */
  summaryOnly: boolean;
}

type Runner = (ctx: BenchContext, options: BenchOptions) => Promise<BenchResult[]>;
const perMode =
  (run: (ctx: BenchContext, options: BenchOptions, mode: 'file' | 'memory') => Promise<BenchResult>): Runner =>
  async (ctx, options) => {
    const out: BenchResult[] = [];
    for (const mode of options.modes) out.push(await run(ctx, options, mode));
    return out;
  };

/** The benchmarks of issue 7 (and the pages under load, issue 12), in the order they run. */
const RUNNERS = {
  'start-rate': perMode(startRate),
  burst: perMode((ctx, o, mode) => burst(ctx, o, mode)),
  'burst-peer': async (ctx, o) => [await burstPeer(ctx, o)],
  'notify-throughput': async (ctx, o) => [await notifyThroughput(ctx, o)],
  'worker-memory': async (ctx, o) => [await workerMemory(ctx, o)],
  'overview-query': async (ctx, o) => [await overviewQuery(ctx, o)],
  pages: async (ctx, o) => [await pages(ctx, o)],
  'year-simulation': async (ctx, o) => [await yearSimulation(ctx, o)],
  chaos: async (ctx, o) => [await chaos(ctx, o)],
  'national-burst': async (ctx, o) => [await nationalBurst(ctx, o)],
  'cluster-compare': async (ctx, o) => [await clusterCompare(ctx, o)],
} satisfies Record<string, Runner>;
type BenchmarkId = keyof typeof RUNNERS;
const BENCHMARKS = Object.keys(RUNNERS) as BenchmarkId[];

/**
 * Each benchmark's default scale (a fraction of the issue's size) when --scale is not given:
 * issue 16's sizes (3,000 deliverables, 3,000 mails, 100,000 read-model rows, the whole
 * Stockholm year). The worker-memory benchmark measures what one cached workflow costs (what the
 * production cache is sized from) on 300 workflows; the goal at 3,000 open deliverables is measured
 * by the burst. The chaos run (issue 7, no figure in issue 16) stays at a tenth.
 */
const DEFAULT_SCALE: Record<BenchmarkId, number> = {
  'start-rate': 1,
  burst: 1,
  'burst-peer': 1,
  'notify-throughput': 1,
  'worker-memory': 300 / 3000,
  'overview-query': 1,
  pages: 1,
  'year-simulation': 1,
  chaos: 300 / 3000,
  // Seeded rather than started (bench/lib/seeded-burst.ts): both run at the issue's sizes.
  'national-burst': 1,
  'cluster-compare': 1,
};

/**
 * Repetitions when --reps is not given: `npm run bench` must finish within 30 minutes on the
 * two-core machine at full size (issue 16: reduce repetitions, not sizes), so the benchmarks that
 * start thousands of workflows run once; the quick ones take the median of three.
 */
/**
 * Run only when named with --only: the pg-boss peer on its own (with two polling settings). The
 * full run measures the peer anyway, interleaved with Årshjul in the burst at 3,000 and beside the
 * national burst at 12,000, and needs the minute and a half for the rest of its half hour.
 */
const ON_REQUEST = new Set<BenchmarkId>(['burst-peer']);

const DEFAULT_REPS: Record<BenchmarkId, number> = {
  'start-rate': 1,
  burst: 1,
  'burst-peer': 1,
  'notify-throughput': 3,
  'worker-memory': 1,
  'overview-query': 3,
  pages: 3,
  'year-simulation': 1,
  chaos: 1,
  // Both within about 9 minutes at --reps 1 (issue 16's national burst and the cluster comparison).
  'national-burst': 1,
  'cluster-compare': 1,
};

function parseArgs(argv: string[]): Args {
  const args: Args = {
    scale: 1,
    scaleGiven: false,
    reps: 1,
    repsGiven: false,
    modes: ['file'],
    seed: 20270101,
    profile: true,
    keep: false,
    merge: false,
    summaryOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--scale') {
      args.scale = Number(value());
      args.scaleGiven = true;
    } else if (flag === '--reps') {
      args.reps = Number(value());
      args.repsGiven = true;
    } else if (flag === '--only') args.only = value().split(',').filter(Boolean);
    else if (flag === '--modes') args.modes = value().split(',') as Args['modes'];
    else if (flag === '--seed') args.seed = Number(value());
    else if (flag === '--out') args.out = value();
    else if (flag === '--no-profile') args.profile = false;
    else if (flag === '--keep') args.keep = true;
    else if (flag === '--merge') args.merge = true;
    else if (flag === '--summary-only') args.summaryOnly = true;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(args.scale > 0)) throw new Error('--scale must be a positive number');
  if (!(args.reps >= 1)) throw new Error('--reps must be at least 1');
  if (args.modes.length === 0 || args.modes.some((m) => m !== 'file' && m !== 'memory')) {
    throw new Error('--modes takes file, memory or file,memory');
  }
  for (const id of args.only ?? []) {
    if (!BENCHMARKS.includes(id as BenchmarkId)) throw new Error(`unknown benchmark ${id}: ${BENCHMARKS.join(', ')}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // One SDK runtime for this process (workers in it: the year simulation), logging errors only.
  installRuntime('ERROR');
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  if (args.summaryOnly) {
    const out = args.out ?? join(__dirname, 'results');
    const stored = readResults(out).filter((r) => r.run);
    const latest = stored.map((r) => r.run!).sort((a, b) => b.machineAtStart.at.localeCompare(a.machineAtStart.at))[0];
    if (!latest) throw new Error(`no results in ${out}`);
    const order = (r: BenchResult) => BENCHMARKS.indexOf(r.id as BenchmarkId) * 10 + (r.mode === 'memory' ? 1 : 0);
    writeResults(
      out,
      stored.sort((a, b) => order(a) - order(b)),
      latest,
      [PREFACE, ''],
    );
    log(`summary written to ${join(out, 'summary.md')}`);
    return;
  }
  const machineAtStart = machineInfo();
  const started = Date.now();
  log(
    `Årshjul benchmarks: ${args.scaleGiven ? `scale ${args.scale}` : "the issues' sizes"}, ${args.repsGiven ? `${args.reps} reps` : 'reps per benchmark'}, modes ${args.modes.join('+')}`,
  );
  log(`load average at start: ${machineAtStart.loadAverage.join(' ')}`);
  const ctx = await createBenchContext(log);
  context = ctx;
  const results: BenchResult[] = [];
  const selected = (id: BenchmarkId) => (args.only ? args.only.includes(id) : !ON_REQUEST.has(id));
  const isDefault = !args.scaleGiven && !args.only && !args.repsGiven;
  const out =
    args.out ??
    (isDefault || args.merge ? join(__dirname, 'results') : join(ctx.scratch, '..', 'arshjul-bench-results'));
  const kept = args.merge ? readResults(out).filter((r) => !selected(r.id as BenchmarkId)) : [];
  const order = (r: BenchResult) => BENCHMARKS.indexOf(r.id as BenchmarkId) * 10 + (r.mode === 'memory' ? 1 : 0);
  const runVersions = versions(ctx.temporalCli, ctx.pgVersion);
  /** Results are written after every benchmark, so an interrupted run keeps what it measured. */
  const write = (finished: boolean): string =>
    writeResults(
      out,
      [...kept, ...results].sort((a, b) => order(a) - order(b)),
      {
        args: process.argv.slice(2),
        machineAtStart,
        machineAtEnd: machineInfo(),
        versions: runVersions,
        wallSeconds: (Date.now() - started) / 1000,
      },
      [...(finished ? [] : ['**Partial: the run was still going or was interrupted.**', '']), PREFACE, ''],
    );
  try {
    for (const id of BENCHMARKS) {
      if (!selected(id)) continue;
      const options = {
        ...args,
        scale: args.scaleGiven ? args.scale : DEFAULT_SCALE[id],
        reps: args.repsGiven ? args.reps : DEFAULT_REPS[id],
      };
      log(`\n${id} (scale ${options.scale}, ${options.reps} reps):`);
      const t0 = Date.now();
      try {
        results.push(...(await RUNNERS[id](ctx, options)));
      } catch (error) {
        // One benchmark failing must not lose the others' figures: record it and go on.
        const message = error instanceof Error ? error.message : String(error);
        log(`${id} FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
        results.push({
          id,
          title: `${id} (failed)`,
          size: { scale: options.scale },
          figures: [{ name: 'error', value: message.split('\n')[0]!.slice(0, 300) }],
          runs: [],
          notes: [],
          wallSeconds: Math.round((Date.now() - t0) / 1000),
        });
      }
      log(`${id}: ${Math.round((Date.now() - t0) / 1000)} s`);
      write(false);
    }
  } finally {
    killAllTracked();
    await ctx.close().catch(() => undefined);
    context = undefined;
    if (!args.keep) rmSync(ctx.scratch, { recursive: true, force: true });
    else log(`scratch kept: ${ctx.scratch}`);
  }
  const summary = write(true);
  log('');
  log(summary.slice(0, summary.indexOf('## Per benchmark')));
  log(`results written to ${out}`);
}

const PREFACE =
  'Every Temporal figure comes from a real dev server (Temporal CLI) with a real worker process, PostgreSQL and a loopback SMTP server; ' +
  'each benchmark measures its baseline in the same run, interleaved with Årshjul (the order alternates), and reports the median of the repetitions. ' +
  'Sizes are in each section ("issue size" is the size the issue asks for; "scale" the fraction run). ' +
  'The full run (`npm run bench`, no options) runs the sizes of issue 16, the heavy benchmarks once, the quick ones three times, on the file-backed dev server (`--modes file,memory` adds the in-memory store).';

let context: BenchContext | undefined;

/**
 * Ctrl-C, or an error nothing caught: stop what we started (processes by PID, the PostgreSQL
 * cluster) and remove the scratch folder, then exit.
 */
const abort = (code: number): void => {
  killAllTracked();
  const ctx = context;
  context = undefined;
  if (!ctx) process.exit(code);
  ctx
    .close()
    .catch(() => undefined)
    .finally(() => {
      rmSync(ctx.scratch, { recursive: true, force: true });
      process.exit(code);
    });
};
process.once('SIGINT', () => abort(130));
process.once('SIGTERM', () => abort(143));
const crashed = (error: unknown): void => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  abort(1);
};
process.once('uncaughtException', crashed);
process.once('unhandledRejection', crashed);

main()
  .then(() => {
    if (trackedCount() > 0) killAllTracked();
    process.exit(0);
  })
  .catch(crashed);
