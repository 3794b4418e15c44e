import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './processes';

/**
 * A fresh `git clone` of this repository at `dest`, as a newcomer makes one, with the working
 * tree's uncommitted changes laid over it (none in CI, which runs on a clean clone; on a
 * developer's machine the edits are what they mean to test).
 *
 * node_modules is shared instead of installed (npm ci takes half a minute and more), and so
 * that an npm ci in the clone can never reach the shared packages, the clone gets a folder of its
 * own whose entries are links to them: npm would remove the links, not what they point to (a
 * link to the whole folder is not safe: npm ci empties the folder behind it). Its install marker
 * is copied after the checkout, so scripts/ensure-node-modules.sh finds it newer than the lock
 * file and the packages current.
 */
export function cloneWorkingTree(dest: string): void {
  execFileSync('git', ['clone', '--quiet', REPO_ROOT, dest]);
  const diff = execFileSync('git', ['-C', REPO_ROOT, 'diff', 'HEAD', '--binary']);
  if (diff.length > 0) execFileSync('git', ['-C', dest, 'apply', '--binary', '--whitespace=nowarn'], { input: diff });
  const untracked = execFileSync('git', ['-C', REPO_ROOT, 'ls-files', '--others', '--exclude-standard', '-z'], {
    encoding: 'utf8',
  });
  for (const file of untracked.split('\0')) {
    if (!file || file === 'node_modules') continue;
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(dest, file));
  }
  const shared = realpathSync(join(REPO_ROOT, 'node_modules'));
  const own = join(dest, 'node_modules');
  mkdirSync(own);
  for (const entry of readdirSync(shared)) {
    if (entry !== '.package-lock.json') symlinkSync(join(shared, entry), join(own, entry));
  }
  copyFileSync(join(shared, '.package-lock.json'), join(own, '.package-lock.json'));
}
