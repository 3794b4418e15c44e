import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { createApiToken } from '../db/api-tokens';

export interface StartTokens {
  admin: string;
  committee: string;
  /** One district's token, so a newcomer can see a board's page too. */
  board: { id: string; secret: string };
}

/**
 * Sign-in keys for `npm start`: created on the first start (SLK, the committee, one district)
 * and kept in the data folder (readable by the owner only), so later starts print the same ones.
 * Production creates its tokens with `arshjul token create`.
 */
export async function ensureStartTokens(pool: Pool, dataDir: string, boardId: string): Promise<StartTokens> {
  const file = join(dataDir, 'tokens.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StartTokens;
  const create = async (role: string, label: string) =>
    (await createApiToken(pool, { role, label, createdBy: 'npm start' })).secret;
  const tokens: StartTokens = {
    admin: await create('admin', 'SLK (npm start)'),
    committee: await create('committee', 'Utskottet (npm start)'),
    board: { id: boardId, secret: await create(`board:${boardId}`, `${boardId} (npm start)`) },
  };
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}
