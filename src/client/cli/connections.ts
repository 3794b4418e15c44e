import type { Pool } from 'pg';
import { createPool } from '../../db/database';
import { ConfigError, configFields } from '../../app/config';

/** DATABASE_URL from the environment, validated: a bad or missing value is a ConfigError (exit 2). */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const parsed = configFields.DATABASE_URL.safeParse(env.DATABASE_URL);
  if (parsed.success) return parsed.data;
  throw new ConfigError([
    {
      variable: 'DATABASE_URL',
      problem: env.DATABASE_URL ? (parsed.error.issues[0]?.message ?? 'is invalid') : 'is required',
    },
  ]);
}

/** Runs `work` with a small pool on DATABASE_URL and always closes it. */
export async function withDatabase<T>(work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(databaseUrlFromEnv(), 2);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}
