import { createHash } from 'node:crypto';
import { Registry } from '../domain/organisations';
import { Queryable } from './database';

/**
 * Plans and registries by content hash (issue 16): workflows carry the keys, these hold the
 * contents. Rows are written once and never changed (a trigger refuses updates).
 */

/** SHA-256 of a value's JSON: the same content gives the same hash, in any process. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export interface StoredPlanKey {
  boardId: string;
  hash: string;
}

/** Stores one phase's plans in one statement; a plan already stored (a retry) is left as it is. */
export async function storePhasePlans(
  db: Queryable,
  cycleWorkflowId: string,
  phaseId: string,
  plans: Array<{ boardId: string; hash: string; deliverable: unknown }>,
): Promise<void> {
  if (plans.length === 0) return;
  await db.query(
    `INSERT INTO phase_plans (cycle_workflow_id, phase_id, board_id, hash, deliverable)
     SELECT $1, $2, b, h, d FROM unnest($3::text[], $4::text[], $5::json[]) AS p(b, h, d)
     ON CONFLICT DO NOTHING`,
    [
      cycleWorkflowId,
      phaseId,
      plans.map((p) => p.boardId),
      plans.map((p) => p.hash),
      plans.map((p) => JSON.stringify(p.deliverable)),
    ],
  );
}

/**
 * The stored plans of the given boards, in the order asked. A key with no row is an error that
 * names it: a workflow never asks for a plan that was not stored before it was handed the key.
 */
export async function loadPhasePlans<T>(
  db: Queryable,
  cycleWorkflowId: string,
  phaseId: string,
  keys: StoredPlanKey[],
): Promise<T[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<{ board_id: string; hash: string; deliverable: T }>(
    `SELECT board_id, hash, deliverable FROM phase_plans
      WHERE cycle_workflow_id = $1 AND phase_id = $2
        AND (board_id, hash) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
    [cycleWorkflowId, phaseId, keys.map((k) => k.boardId), keys.map((k) => k.hash)],
  );
  const byKey = new Map(rows.map((r) => [`${r.board_id}\n${r.hash}`, r.deliverable]));
  return keys.map((k) => {
    const found = byKey.get(`${k.boardId}\n${k.hash}`);
    if (found === undefined) {
      throw new Error(`no stored plan for ${cycleWorkflowId} ${phaseId} ${k.boardId} with hash ${k.hash}`);
    }
    return found;
  });
}

/** Stores a registry under its content hash (once) and returns the hash. */
export async function storeRegistrySnapshot(db: Queryable, registry: Registry): Promise<string> {
  const hash = contentHash(registry);
  await db.query('INSERT INTO registry_snapshots (hash, registry) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING', [
    hash,
    JSON.stringify(registry),
  ]);
  return hash;
}

/** The registry stored under `hash`; an unknown hash is an error naming it. */
export async function loadRegistrySnapshot(db: Queryable, hash: string): Promise<Registry> {
  const { rows } = await db.query<{ registry: Registry }>('SELECT registry FROM registry_snapshots WHERE hash = $1', [
    hash,
  ]);
  if (!rows[0]) throw new Error(`no stored registry with hash ${hash}`);
  return rows[0].registry;
}
