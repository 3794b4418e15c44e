import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
const TSX_CJS = require.resolve('tsx/cjs');

export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout text matching `pattern`, or rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts one of our entry points, collecting its output. Node itself runs it with tsx's loader
 * (not the tsx command, which would run it in a child process): the PID we hold is the process,
 * so a SIGKILL really kills it.
 */
export function startEntryPoint(script: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, ['--require', TSX_CJS, join(REPO_ROOT, script)], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child, script);
}

/**
 * Runs npm (e.g. `npm start`) in `cwd` as a process manager or CI job would: no terminal, and in
 * a process group of its own (detached), so a signal can go to the whole group as it does when
 * such a manager stops a job (`kill -INT -- -PGID`). The group's id is the child's PID.
 */
export function startNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn('npm', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return collectOutput(child, `npm ${args.join(' ')}`);
}

function collectOutput(child: ChildProcess, label: string): RunningProcess {
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      listeners.forEach((l) => l());
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = out.match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`${label} exited before printing ${pattern}:\n${err.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${label} did not print ${pattern} within ${timeoutMs} ms:\n${err.slice(-3000)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
  };
}

export interface LiveProcess {
  pid: number;
  pgid: number;
  cmdline: string;
}

/**
 * Every process alive on this machine, read from /proc (Linux). Zombies are left out: they have
 * ended and only wait for a parent to collect their exit status.
 */
export function liveProcesses(): LiveProcess[] {
  const found: LiveProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name in parentheses may hold spaces: the fields after it are state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      found.push({ pid: Number(name), pgid: Number(pgrp), cmdline });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}
