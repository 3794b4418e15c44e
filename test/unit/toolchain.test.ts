import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolCacheDir } from '../../src/toolchain/cache-dir';
import { findPostgresBinDir } from '../../src/toolchain/postgres-binaries';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../../src/toolchain/temporal-cli';
import { ensureTimeSkippingServer } from '../../src/toolchain/time-skipping-server';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arshjul-toolchain-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

const quiet = (): void => undefined;

describe('tool cache', () => {
  it('lives outside the clone: ARSHJUL_CACHE_DIR, else XDG_CACHE_HOME/arshjul, else ~/.cache/arshjul', () => {
    expect(toolCacheDir({ ARSHJUL_CACHE_DIR: '/x/tools' })).toBe('/x/tools');
    expect(toolCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/arshjul');
    expect(toolCacheDir({})).toMatch(/\.cache\/arshjul$/);
  });
});

describe('ensureTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH, then PATH, then the cached build', async () => {
    const explicit = executable(join(dir, 'explicit', 'temporal'));
    const onPath = executable(join(dir, 'path', 'temporal'));
    const cached = executable(join(dir, 'cache', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
    const cacheOnly = { PATH: '/nonexistent', ARSHJUL_CACHE_DIR: join(dir, 'cache') };
    expect(await ensureTemporalCli({ ...cacheOnly, TEMPORAL_CLI_PATH: explicit }, quiet)).toBe(explicit);
    expect(await ensureTemporalCli({ ...cacheOnly, PATH: join(dir, 'path') }, quiet)).toBe(onPath);
    expect(await ensureTemporalCli(cacheOnly, quiet)).toBe(cached);
  });

  it('says in one line what to install when it cannot build the CLI', async () => {
    const attempt = ensureTemporalCli({ PATH: '/nonexistent', ARSHJUL_CACHE_DIR: dir }, quiet);
    await expect(attempt).rejects.toMatchObject({ name: 'MissingPrerequisiteError' });
    await expect(attempt).rejects.toThrow(/^The Temporal CLI is missing and Go is needed to build it: install Go/);
  });

  it('refuses a TEMPORAL_CLI_PATH that is not executable, naming it', async () => {
    await expect(ensureTemporalCli({ TEMPORAL_CLI_PATH: join(dir, 'nope') }, quiet)).rejects.toThrow(
      `TEMPORAL_CLI_PATH=${join(dir, 'nope')} is not an executable file`,
    );
  });
});

describe('ensureTimeSkippingServer', () => {
  it('says what to install when Java or Maven is missing', async () => {
    await expect(ensureTimeSkippingServer({ PATH: '/nonexistent', ARSHJUL_CACHE_DIR: dir }, quiet)).rejects.toThrow(
      /needs Java 11\+ and Maven: install them/,
    );
  });
});

describe('findPostgresBinDir', () => {
  it('takes PG_BINDIR when it holds initdb and pg_ctl', () => {
    executable(join(dir, 'bin', 'initdb'));
    executable(join(dir, 'bin', 'pg_ctl'));
    expect(findPostgresBinDir({ PG_BINDIR: join(dir, 'bin'), PATH: '/nonexistent' })).toBe(join(dir, 'bin'));
  });
});
