import { createHash } from 'node:crypto';
import { Pool, PoolClient, QueryResultRow } from 'pg';

/** The narrow database interface that queries need: one statement at a time. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** One SQL statement and its values: to run alone, or as a part of a larger statement. */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Every statement of ours is short: a lock waited for longer than 5 s or a statement running
 * longer than 30 s is a fault (a stuck transaction elsewhere), reported instead of hanging a
 * request or an activity. Migrations run on their own connection, without these limits.
 */
export const LOCK_TIMEOUT_MS = 5_000;
export const STATEMENT_TIMEOUT_MS = 30_000;

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'arshjul',
    lock_timeout: LOCK_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // An idle client that loses its connection (database restart) must not crash the process;
  // the next query gets a fresh connection.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * The pool with each statement sent as a named prepared statement (named by its text's hash):
 * PostgreSQL parses and plans it once per connection instead of every time it runs. For
 * statements whose text never changes (every value a parameter) that run thousands of times:
 * the outbox's, once per batch of a burst's mails.
 */
export function preparedStatements(pool: Pool): Queryable {
  const names = new Map<string, string>();
  return {
    query<R extends QueryResultRow>(text: string, values?: unknown[]) {
      let name = names.get(text);
      if (name === undefined) {
        name = `arshjul_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
        names.set(text, name);
      }
      return pool.query<R>({ name, text, values });
    },
  };
}

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
