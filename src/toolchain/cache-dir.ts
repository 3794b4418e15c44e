import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built and downloaded tools live: a user-level cache outside the clone, so a fresh clone
 * (as CI makes) reuses what an earlier run built. Override with ARSHJUL_CACHE_DIR.
 */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARSHJUL_CACHE_DIR) return env.ARSHJUL_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'arshjul');
}
