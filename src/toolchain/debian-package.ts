import { run } from './exec';

/**
 * Installs one Debian package with apt-get (as root). Waits up to five minutes for dpkg's lock
 * instead of failing at once: on a shared machine another apt-get (a second test run, a person)
 * may hold it for a minute.
 */
export async function installDebianPackage(aptGet: string, name: string, env: NodeJS.ProcessEnv): Promise<void> {
  const waitForLock = ['-o', 'DPkg::Lock::Timeout=300'];
  await run(aptGet, [...waitForLock, 'update']);
  await run(aptGet, [...waitForLock, 'install', '-y', '--no-install-recommends', name], {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
