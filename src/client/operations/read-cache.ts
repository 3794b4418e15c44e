import type { Pool } from 'pg';
import { CycleTemplateVersion, loadVersionedCycleTemplate } from '../../db/cycle-templates';
import { listVersionedCycles, StoredCycle } from '../../db/cycles';
import { readVersions, ReadVersions } from '../../db/read-versions';
import { loadVersionedRegistry } from '../../db/registry';
import type { Registry } from '../../domain/organisations';

/** What every page needs and rarely changes, as PostgreSQL held it after the caller asked. */
export interface ReadSnapshot {
  registry: Registry | undefined;
  /** Board names by ID, from the registry (empty without one). */
  boardNames: Map<string, string>;
  /** The cycles started, by budget year. */
  cycles: StoredCycle[];
  versions: ReadVersions;
}

interface Kept<T> {
  version: number;
  value: T;
}

/**
 * The registry, the cycles with their calendars and the templates the cycles keep, held in
 * memory and checked against PostgreSQL on every use: each caller's snapshot comes from a
 * read of read_versions sent after it asked, so a write committed before a request — through
 * this process, another one or psql (the triggers bump the versions) — is seen by it; what moved
 * is read again in one statement with its version. Callers share the check: those that ask while
 * one is under way wait for the next, so under load a process sends about one check per round
 * trip instead of one per request, and never one that started before they asked.
 *
 * A copy is used only when its version equals the one just read (not "at least"): a database
 * restored or its versions reset never leaves an older copy looking current, and a reload stores
 * what it read whatever was kept (checks run one at a time, so registry and cycle reloads never
 * race; template reloads may, harmlessly). A version PostgreSQL does not have (NaN) matches
 * nothing, so nothing is kept for it.
 *
 * What it hands out is shared between requests: callers treat it as read-only.
 */
export function createReadCache(deps: { pool: Pool; municipality: string }) {
  const { pool, municipality } = deps;
  let registry: Kept<{ registry: Registry | undefined; boardNames: Map<string, string> }> | undefined;
  let cycles: Kept<StoredCycle[]> | undefined;
  const templates = new Map<string, Kept<CycleTemplateVersion | undefined>>();

  const registryAt = async (version: number) => {
    if (registry?.version === version) return registry;
    const loaded = await loadVersionedRegistry(pool, municipality);
    const names = new Map((loaded.registry?.organisations ?? []).map((o) => [o.id, o.name]));
    const kept = { version: loaded.version, value: { registry: loaded.registry, boardNames: names } };
    registry = kept;
    return kept;
  };
  const cyclesAt = async (version: number) => {
    if (cycles?.version === version) return cycles;
    const loaded = await listVersionedCycles(pool, municipality);
    const kept = { version: loaded.version, value: loaded.cycles };
    cycles = kept;
    return kept;
  };

  const check = async (): Promise<ReadSnapshot> => {
    const versions = await readVersions(pool);
    const [r, c] = await Promise.all([registryAt(versions.registry), cyclesAt(versions.cycles)]);
    return { ...r.value, cycles: c.value, versions };
  };

  // The check under way, and the one that starts when it ends (for those who asked meanwhile).
  let running: Promise<ReadSnapshot> | undefined;
  let next: Promise<ReadSnapshot> | undefined;
  const snapshot = (): Promise<ReadSnapshot> => {
    if (!running) {
      const started = check();
      running = started;
      const done = () => {
        if (running === started) running = undefined;
      };
      started.then(done, done);
      return started;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return snapshot();
      });
    return next;
  };

  return {
    snapshot,

    /**
     * The current version of a template a cycle keeps (undefined when it keeps none), checked
     * against the templates' version of `at` (a snapshot taken for this request).
     */
    async cycleTemplate(
      at: ReadSnapshot,
      budgetYear: number,
      templateId: string,
    ): Promise<CycleTemplateVersion | undefined> {
      const key = `${budgetYear}/${templateId}`;
      const kept = templates.get(key);
      if (kept?.version === at.versions.templates) return kept.value;
      const loaded = await loadVersionedCycleTemplate(pool, municipality, budgetYear, templateId);
      // Two requests reloading at once may store in either order: a copy is used only while its
      // version is the one read, so the older of the two is simply read again.
      templates.set(key, { version: loaded.version, value: loaded.template });
      return loaded.template;
    },
  };
}

export type ReadCache = ReturnType<typeof createReadCache>;
