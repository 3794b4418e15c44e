import { Queryable } from './database';

/** One act of the committee's on a priority area: flagged for attention (with why) or unflagged. */
export interface AreaFlagAct {
  id: string;
  municipality: string;
  areaId: string;
  action: 'flag' | 'unflag';
  reason?: string;
  /** The committee member's pseudonymous actor id (`person:<id>`), or a token's. */
  author: string;
  createdAt: Date;
}

/** Where an area stands: flagged by the flags since its last unflag, oldest first. */
export interface AreaFlag {
  areaId: string;
  flags: AreaFlagAct[];
}

interface Row {
  id: string;
  municipality: string;
  area_id: string;
  action: 'flag' | 'unflag';
  reason: string | null;
  author: string;
  created_at: Date;
}

const COLUMNS = 'id, municipality, area_id, action, reason, author, created_at';

const toAct = (r: Row): AreaFlagAct => ({
  id: r.id,
  municipality: r.municipality,
  areaId: r.area_id,
  action: r.action,
  ...(r.reason !== null && { reason: r.reason }),
  author: r.author,
  createdAt: r.created_at,
});

/**
 * Holds the area's acts against a concurrent act until the caller's transaction ends, so the
 * check "is it flagged?" and the act that follows it are one step (acts on one area queue up;
 * an advisory lock, since the first flag has no row to lock yet).
 */
export async function lockArea(db: Queryable, municipality: string, areaId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('committee-area-flag/' || $1 || '/' || $2))`, [
    municipality,
    areaId,
  ]);
}

export async function insertAreaFlagAct(
  db: Queryable,
  act: Omit<AreaFlagAct, 'id' | 'createdAt'>,
): Promise<AreaFlagAct> {
  const result = await db.query<Row>(
    `INSERT INTO committee_area_flags (municipality, area_id, action, reason, author)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [act.municipality, act.areaId, act.action, act.reason ?? null, act.author],
  );
  return toAct(result.rows[0]!);
}

export async function loadAreaFlagAct(db: Queryable, id: string): Promise<AreaFlagAct | undefined> {
  const result = await db.query<Row>(`SELECT ${COLUMNS} FROM committee_area_flags WHERE id = $1`, [id]);
  return result.rows[0] && toAct(result.rows[0]);
}

/** Every act of a municipality (or on one area), in the order they were stored. */
export async function listAreaFlagActs(db: Queryable, municipality: string, areaId?: string): Promise<AreaFlagAct[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM committee_area_flags
      WHERE municipality = $1 AND ($2::text IS NULL OR area_id = $2) ORDER BY id`,
    [municipality, areaId ?? null],
  );
  return result.rows.map(toAct);
}

/** The areas flagged now, from their acts in order: the flags since each area's last unflag. */
export function currentAreaFlags(acts: readonly AreaFlagAct[]): AreaFlag[] {
  const byArea = new Map<string, AreaFlagAct[]>();
  for (const act of acts) {
    if (act.action === 'unflag') byArea.delete(act.areaId);
    else byArea.set(act.areaId, [...(byArea.get(act.areaId) ?? []), act]);
  }
  return [...byArea.entries()].map(([areaId, flags]) => ({ areaId, flags }));
}
