import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { probe } from '../toolchain/exec';

/**
 * Where clusters live that the `postgres` user could not reach in their data folder. Root-owned
 * and mode 0711 (enter, not list), each cluster below it owned by `postgres` and mode 0700.
 */
export const RELOCATED_CLUSTERS_ROOT = '/var/lib/arshjul';

/**
 * The folder the cluster of `dataDir` lives in. Usually `dataDir` itself. As root, though, the
 * server runs as the `postgres` system user (PostgreSQL refuses root), and that user cannot
 * enter a clone in a folder only root may enter: /root is mode 700, and so is what `mktemp -d`
 * makes. Then the cluster lives in RELOCATED_CLUSTERS_ROOT/<hash of dataDir>/postgres and
 * `dataDir` becomes a symlink to it, so the next start finds the same cluster, its data
 * survives restarts, and the data folder still holds (a pointer to) everything.
 *
 * Why not another way: opening the user's folders to others (chmod o+x on a home folder, or an
 * ACL granting `postgres` traversal) changes who may look into them, which starting a program
 * must never do; the tool cache sits in the home folder too (~/.cache), so it is no better; /tmp
 * is emptied on reboot, and the data must survive one. /var/lib is where the system keeps
 * services' state, and root (who alone gets here) may write there.
 *
 * `runAs` is the command prefix that runs a program as the server's user (empty when that user
 * is us); `pgCtl` stops a server left on a stale cluster.
 */
export function clusterDirFor(dataDir: string, runAs: string[], pgCtl: string): string {
  const absolute = resolve(dataDir);
  if (isSymlink(absolute)) return resolve(dirname(absolute), readlinkSync(absolute));
  if (
    runAs.length === 0 ||
    existsSync(join(absolute, 'PG_VERSION')) ||
    canEnter(runAs, nearestExisting(dirname(absolute)))
  ) {
    return absolute;
  }

  const home = join(RELOCATED_CLUSTERS_ROOT, createHash('sha256').update(absolute).digest('hex').slice(0, 16));
  const cluster = join(home, 'postgres');
  if (existsSync(home)) {
    // No pointer leads here any more: the data folder was removed (the way to start afresh),
    // so this cluster is the old one's. Discard it as removing the folder would have.
    probe(runAs[0] as string, [...runAs.slice(1), pgCtl, 'stop', '-D', cluster, '-m', 'immediate', '-w']);
    rmSync(home, { recursive: true, force: true });
  }
  for (const dir of [RELOCATED_CLUSTERS_ROOT, home]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o711);
  }
  // For whoever looks in RELOCATED_CLUSTERS_ROOT: which data folder a cluster belongs to.
  writeFileSync(join(home, 'data-dir'), `${absolute}\n`);
  mkdirSync(dirname(absolute), { recursive: true });
  if (existsSync(absolute)) rmdirSync(absolute); // an empty folder from an earlier failed start
  symlinkSync(cluster, absolute);
  return cluster;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * Whether the server's user can reach `dir`: search permission on it and every folder above
 * (the data folder itself is made the server user's before initdb).
 */
function canEnter(runAs: string[], dir: string): boolean {
  return probe(runAs[0] as string, [...runAs.slice(1), 'test', '-x', dir]).ok;
}
