import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createPool } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrate';
import { quoteIdentifier } from '../../src/stack/private-postgres';

export interface TestDatabase {
  url: string;
  pool: Pool;
  name: string;
  /** Drops the database; with ARSHJUL_KEEP_TEST_DB=1 it stays for inspection. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.ARSHJUL_TEST_DATABASE_URL;
  if (!url) throw new Error('ARSHJUL_TEST_DATABASE_URL is unset: run the tests through jest (global setup).');
  return url;
}

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `arshjul_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  await migrateUp(url.toString());
  const pool = createPool(url.toString(), 5);
  return {
    url: url.toString(),
    pool,
    name,
    async drop() {
      await pool.end();
      if (process.env.ARSHJUL_KEEP_TEST_DB === '1') return;
      const client = new Client({ connectionString: serverUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      await client.end();
    },
  };
}
