import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './processes';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** bin/arshjul as an operator runs it, with extra environment; stdin is not a terminal. */
export function runArshjul(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'bin', 'arshjul'), args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
