import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrivatePostgres, PrivatePostgres } from '../src/stack/private-postgres';
import { ensureTemporalCli } from '../src/toolchain/temporal-cli';
import { ensureTemporalServer } from '../src/toolchain/temporal-server';
import { ensureTimeSkippingServer } from '../src/toolchain/time-skipping-server';
import { ensureChromium } from '../src/toolchain/chromium';
import { ensurePdftotext } from '../src/toolchain/pdftotext';
import { step } from '../src/toolchain/step';

declare global {
  var __ARSHJUL_TEST_POSTGRES__: { server: PrivatePostgres; dir: string } | undefined;
}

/**
 * Runs once per `jest` run, before any worker starts: provisions the Temporal binaries into the
 * tool cache, finds (or installs) Chromium for the browser tests and starts one private
 * PostgreSQL cluster (unless DATABASE_URL names one). What it finds reaches the test files
 * through environment variables, which Jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  process.stderr.write('\n');
  process.env.ARSHJUL_TEMPORAL_CLI = await step('Temporal CLI', () => ensureTemporalCli());
  process.env.ARSHJUL_TEST_SERVER = await step('time-skipping test server', () => ensureTimeSkippingServer());
  // The cluster project's Temporal server on PostgreSQL (several minutes to build the first time).
  await step('Temporal server and SQL tool', () => ensureTemporalServer());
  process.env.ARSHJUL_CHROMIUM = await step('Chromium for browser tests', () => ensureChromium());
  process.env.ARSHJUL_PDFTOTEXT = await step('pdftotext for the export tests', () => ensurePdftotext());
  if (process.env.DATABASE_URL) {
    process.env.ARSHJUL_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  // The test cluster lives outside the clone, in a folder of its own under the system's temporary
  // folder, opened for `postgres` (the server's user when we are root): so a clone in a folder
  // only root may enter (CI's is a `mktemp -d`) is no matter, the cluster stays in place rather
  // than in /var/lib/arshjul (see src/stack/cluster-location.ts), and teardown removes it with
  // the folder.
  const dir = mkdtempSync(join(tmpdir(), 'arshjul-test-pg-'));
  chmodSync(dir, 0o755);
  const server = await step('PostgreSQL for tests (private cluster)', () =>
    startPrivatePostgres({ dataDir: join(dir, 'cluster'), database: 'postgres', ephemeral: true }),
  );
  globalThis.__ARSHJUL_TEST_POSTGRES__ = { server, dir };
  process.env.ARSHJUL_TEST_DATABASE_URL = server.url;
}
