import type { Pool } from 'pg';
import { preparedStatements, Queryable } from './database';

const preparedOfPool = new WeakMap<Pool, Queryable>();

/** The pool's prepared statements (src/db/database.ts): one set of names per pool. */
function preparedOf(pool: Pool): Queryable {
  let prepared = preparedOfPool.get(pool);
  if (!prepared) {
    prepared = preparedStatements(pool);
    preparedOfPool.set(pool, prepared);
  }
  return prepared;
}

/**
 * What `make` builds on a pool, built once per pool and shared by whoever asks for it on that
 * pool: the batchers of the outbox's statements (src/db/batcher.ts), so every activity set built
 * on one pool (a worker's, a benchmark's, a test's) puts its mails in flight into the same
 * batches. `make` gets the pool and its prepared statements, the same for every `perPool`.
 */
export function perPool<T>(make: (pool: Pool, prepared: Queryable) => T): (pool: Pool) => T {
  const made = new WeakMap<Pool, T>();
  return (pool) => {
    let value = made.get(pool);
    if (value === undefined) {
      value = make(pool, preparedOf(pool));
      made.set(pool, value);
    }
    return value;
  };
}
