import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const postgres = globalThis.__ARSHJUL_TEST_POSTGRES__;
  if (!postgres) return;
  await postgres.server.stop();
  if (process.env.ARSHJUL_KEEP_TEST_DB !== '1') rmSync(postgres.dir, { recursive: true, force: true });
}
