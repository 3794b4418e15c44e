import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createPool } from '../../db/database';
import { MUNICIPALITY_TIME_ZONE } from '../../domain/glossary';
import { localDateOf } from '../../domain/zoned-time';
import { ConfigError, configDefaults, configFields } from '../../app/config';
import { createCycleOperations, CycleOperations } from '../operations/cycle-operations';
import { progress } from './output';

/** What the commands on a running cycle need: Temporal, PostgreSQL and the municipality served. */
export interface OperationsEnv {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  municipality: string;
}

type Field = 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'DATABASE_URL' | 'MUNICIPALITY';

/**
 * Reads and validates the variables with the worker's own rules, reporting every bad one at once
 * (a ConfigError: exit code 2). `required` variables have no default; the others fall back to
 * the worker's defaults (default, arshjul, stockholm).
 */
function readFields<F extends Field>(
  env: NodeJS.ProcessEnv,
  fields: readonly F[],
  required: readonly F[],
): Record<F, string> {
  const values = {} as Record<F, string>;
  const problems: { variable: string; problem: string }[] = [];
  for (const name of fields) {
    const given = env[name] === '' ? undefined : env[name];
    const value = given ?? configDefaults[name];
    if (value === undefined) {
      if (required.includes(name)) problems.push({ variable: name, problem: 'is required' });
      continue;
    }
    const parsed = configFields[name].safeParse(value);
    if (parsed.success) values[name] = parsed.data;
    else problems.push({ variable: name, problem: parsed.error.issues[0]?.message ?? 'is invalid' });
  }
  if (problems.length) throw new ConfigError(problems);
  return values;
}

/** MUNICIPALITY (default stockholm), validated: the registry and the cycles the commands act on. */
export function municipalityFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return readFields(env, ['MUNICIPALITY'], []).MUNICIPALITY;
}

export function operationsEnv(env: NodeJS.ProcessEnv = process.env): OperationsEnv {
  const v = readFields(
    env,
    ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL', 'MUNICIPALITY'],
    ['TEMPORAL_ADDRESS', 'DATABASE_URL'],
  );
  return {
    temporalAddress: v.TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE,
    taskQueue: v.TEMPORAL_TASK_QUEUE,
    databaseUrl: v.DATABASE_URL,
    municipality: v.MUNICIPALITY,
  };
}

/** Today's date in Stockholm: what "today" means for a late start and for the registry. */
export const stockholmToday = (): string => localDateOf(new Date(), MUNICIPALITY_TIME_ZONE);

/**
 * Runs `work` with the operations layer over a Temporal connection and a small pool, and always
 * closes both, so the command exits as soon as it is done.
 */
export async function withOperations<T>(
  work: (ops: CycleOperations, context: { env: OperationsEnv; pool: Pool }) => Promise<T>,
  options: { verbose?: boolean } = {},
): Promise<T> {
  const env = operationsEnv();
  if (options.verbose) progress(`Ansluter till Temporal på ${env.temporalAddress} (namnrymd ${env.namespace}) …`);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: env.temporalAddress, connectTimeout: '10 seconds' });
  } catch (error) {
    throw new Error(
      `kan inte ansluta till Temporal på ${env.temporalAddress} (cannot connect): ${(error as Error).message}`,
    );
  }
  const pool = createPool(env.databaseUrl, 2);
  try {
    const client = new Client({ connection, namespace: env.namespace });
    const ops = createCycleOperations({
      client,
      pool,
      taskQueue: env.taskQueue,
      municipality: env.municipality,
      today: stockholmToday,
    });
    return await work(ops, { env, pool });
  } finally {
    await Promise.allSettled([connection.close(), pool.end()]);
  }
}
