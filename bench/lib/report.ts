import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, freemem, release, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { TEMPORAL_CLI_VERSION } from '../../src/toolchain/temporal-cli';
import { TEST_SERVER_VERSION } from '../../src/toolchain/time-skipping-server';
import type { BenchResult, Figure } from './results';

export interface MachineInfo {
  at: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage: number[];
  kernel: string;
  host: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    at: new Date().toISOString(),
    cores: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    kernel: release(),
    host: hostname(),
  };
}

function packageVersion(name: string): string {
  // Up from the package's entry point to its own package.json (some have nested ones without a version).
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // no package.json here
    }
  }
  return 'unknown';
}

export function versions(temporalCli: string, pgVersion: string): Record<string, string> {
  let server = '';
  try {
    server = execFileSync(temporalCli, ['--version']).toString().trim();
  } catch {
    server = 'unknown';
  }
  return {
    node: process.version,
    'Temporal CLI': `${TEMPORAL_CLI_VERSION} (${server.replace(/^temporal version\s*/, '')})`,
    'Temporal TypeScript SDK': packageVersion('@temporalio/worker'),
    'time-skipping test server': `io.temporal:temporal-test-server ${TEST_SERVER_VERSION}`,
    PostgreSQL: pgVersion,
    pg: packageVersion('pg'),
    nodemailer: packageVersion('nodemailer'),
    'smtp-server': packageVersion('smtp-server'),
    'pg-boss (the peer, bench only)': packageVersion('pg-boss'),
  };
}

export interface RunInfo {
  args: string[];
  machineAtStart: MachineInfo;
  machineAtEnd: MachineInfo;
  versions: Record<string, string>;
  wallSeconds: number;
}

const formatValue = (f: Figure): string => {
  if (typeof f.value === 'boolean') return f.value ? 'yes' : 'no';
  if (typeof f.value === 'number')
    return `${Number.isFinite(f.value) ? f.value.toLocaleString('en-US') : String(f.value)}${f.unit ? ` ${f.unit}` : ''}`;
  return `${f.value}${f.unit ? ` ${f.unit}` : ''}`;
};

/** Every figure with a goal, first: what the issue asks, at a glance (the full table follows). */
function goalsSection(results: BenchResult[]): string[] {
  const rows = results.flatMap((r) => r.figures.filter((f) => f.goal !== undefined).map((f) => ({ r, f })));
  if (rows.length === 0) return [];
  const met = rows.filter(({ f }) => f.ok).length;
  return [
    '## Goals',
    '',
    `${met} of ${rows.length} met.`,
    '',
    '| benchmark | store | figure | value | goal | met |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ({ r, f }) =>
        `| ${r.title} | ${r.mode ?? ''} | ${f.name} | ${formatValue(f)} | ${f.goal} | ${f.ok ? 'yes' : '**no**'} |`,
    ),
    '',
  ];
}

const describeRun = (run: RunInfo): string =>
  `${run.machineAtStart.at} → ${run.machineAtEnd.at} (${Math.round(run.wallSeconds / 6) / 10} min), ` +
  `\`npm run bench${run.args.length ? ` -- ${run.args.join(' ')}` : ''}\`, load average (1/5/15 min) ` +
  `${run.machineAtStart.loadAverage.join(' / ')} at start, ${run.machineAtEnd.loadAverage.join(' / ')} at end`;

/** The JSON results already in `dir` (a merging run keeps those it does not measure again). */
export function readResults(dir: string): BenchResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResult);
}

/**
 * Writes one JSON file per benchmark (and mode) and the Markdown summary; returns the summary.
 * Results without a run get `run`; results merged from an earlier run keep theirs. A hand-written
 * `findings.md` next to them is appended to the summary.
 */
export function writeResults(dir: string, results: BenchResult[], run: RunInfo, preface: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const all = results.map((r) => ({ ...r, run: r.run ?? run }));
  for (const r of all) {
    const file = r.mode && r.mode !== 'none' ? `${r.id}.${r.mode}.json` : `${r.id}.json`;
    writeFileSync(join(dir, file), `${JSON.stringify(r, null, 2)}\n`);
  }
  const runs = [...new Map(all.map((r) => [r.run.machineAtStart.at, r.run])).values()].sort((a, b) =>
    a.machineAtStart.at.localeCompare(b.machineAtStart.at),
  );
  const runNumber = (r: RunInfo) => runs.findIndex((x) => x.machineAtStart.at === r.machineAtStart.at) + 1;
  const m = run.machineAtStart;
  const lines: string[] = [
    '# Årshjul benchmarks',
    '',
    ...preface,
    ...(runs.length === 1
      ? [`Run ${describeRun(runs[0]!)}.`]
      : [
          'The figures come from these runs (each section names its run):',
          '',
          ...runs.map((r, i) => `${i + 1}. ${describeRun(r)}`),
        ]),
    '',
    '## Machine',
    '',
    `- ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, Linux ${m.kernel}`,
    `- **Shared**: other engineers' test suites may run at the same time; the load averages above say how busy ` +
      `the ${m.cores} cores were. Figures move with it; ratios (both sides measured interleaved in the same run) are the more robust part.`,
    ...Object.entries(run.versions).map(([k, v]) => `- ${k}: ${v}`),
    '',
    ...goalsSection(all),
    '## Figures',
    '',
    '| benchmark | store | figure | value | goal | met |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of all) {
    for (const f of r.figures) {
      lines.push(
        `| ${r.title} | ${r.mode ?? ''} | ${f.name} | ${formatValue(f)} | ${f.goal ?? ''} | ${f.ok === undefined ? '' : f.ok ? 'yes' : '**no**'} |`,
      );
    }
  }
  lines.push('', '## Per benchmark', '');
  for (const r of all) {
    lines.push(`### ${r.title}${r.mode && r.mode !== 'none' ? ` (${r.mode})` : ''}`, '');
    if (runs.length > 1) lines.push(`Run ${runNumber(r.run)}.`, '');
    lines.push(
      `Size: ${Object.entries(r.size)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : v}`)
        .join(', ')}; wall time ${r.wallSeconds} s. Runs (in the order they ran):`,
      '',
    );
    const keys = [...new Set(r.runs.flatMap((x) => Object.keys(x)))].filter((k) => {
      const v = r.runs.find((x) => x[k] !== undefined)?.[k];
      return typeof v !== 'object' || v === null;
    });
    if (keys.length > 0) {
      lines.push(`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`);
      for (const x of r.runs)
        lines.push(`| ${keys.map((k) => (x[k] === undefined ? '' : String(x[k]))).join(' | ')} |`);
      lines.push('');
    }
    for (const note of r.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  const findings = join(dir, 'findings.md');
  if (existsSync(findings)) lines.push(readFileSync(findings, 'utf8').trimEnd(), '');
  const text = `${lines.join('\n')}\n`;
  writeFileSync(join(dir, 'summary.md'), text);
  return text;
}
