import { findOnPath, run } from './exec';
import { MissingPrerequisiteError, step, StepLogger } from './step';

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

/**
 * Finds a tool with `find`; when it is missing and we are root on a Debian machine, installs its
 * package and looks again; otherwise (or when still missing) says what to install.
 */
export async function findOrInstallDebianPackage(options: {
  find: () => string | undefined;
  packageName: string;
  /** The step's line while installing, e.g. "Chromium: installing Debian package chromium". */
  installing: string;
  /** What to tell a person who must install it themselves. */
  missing: string;
  env: NodeJS.ProcessEnv;
  log: StepLogger;
}): Promise<string> {
  const found = options.find();
  if (found) return found;
  const aptGet = findOnPath('apt-get', options.env);
  if (aptGet && process.getuid?.() === 0) {
    await step(options.installing, () => installDebianPackage(aptGet, options.packageName, options.env), options.log);
    const installed = options.find();
    if (installed) return installed;
  }
  throw new MissingPrerequisiteError(options.missing);
}
