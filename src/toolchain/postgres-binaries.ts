import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, probe } from './exec';
import { findOrInstallDebianPackage } from './debian-package';
import { stderrLogger, StepLogger } from './step';

/**
 * Finds the PostgreSQL server binaries (initdb, pg_ctl, postgres). Debian keeps them under
 * /usr/lib/postgresql/<major>/bin, off PATH. When they are missing and we are root on a Debian
 * machine, installs the `postgresql` package; otherwise says what to install.
 */
export async function ensurePostgresBinaries(
  env: NodeJS.ProcessEnv = process.env,
  log: StepLogger = stderrLogger,
): Promise<string> {
  return findOrInstallDebianPackage({
    find: () => findPostgresBinDir(env),
    packageName: 'postgresql',
    installing: 'PostgreSQL server: installing Debian package postgresql',
    missing:
      'PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL 13+ (Debian: apt-get install postgresql), set PG_BINDIR, or set DATABASE_URL.',
    env,
    log,
  });
}

export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.PG_BINDIR) candidates.push(env.PG_BINDIR);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) candidates.push(join(debianRoot, major, 'bin'));
  }
  const pgConfig = findOnPath('pg_config', env);
  if (pgConfig) {
    const bindir = probe(pgConfig, ['--bindir']);
    if (bindir.ok) candidates.push(bindir.output.trim());
  }
  const initdbOnPath = findOnPath('initdb', env);
  if (initdbOnPath) candidates.push(join(initdbOnPath, '..'));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}
