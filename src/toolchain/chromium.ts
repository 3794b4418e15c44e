import { findOnPath, isExecutable } from './exec';
import { findOrInstallDebianPackage } from './debian-package';
import { MissingPrerequisiteError, stderrLogger, StepLogger } from './step';

/** Where Debian's `chromium` package puts its launcher. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Returns the path of a Chromium for the browser tests: ARSHJUL_CHROMIUM, then `chromium` on
 * PATH, then the Debian launcher. When none is there and we are root on a Debian machine,
 * installs the `chromium` package; otherwise says what to install. Playwright's own browser
 * download is not used: the distribution's package gets security updates with the system.
 */
export async function ensureChromium(
  env: NodeJS.ProcessEnv = process.env,
  log: StepLogger = stderrLogger,
): Promise<string> {
  if (env.ARSHJUL_CHROMIUM) {
    if (!isExecutable(env.ARSHJUL_CHROMIUM)) {
      throw new MissingPrerequisiteError(
        `ARSHJUL_CHROMIUM=${env.ARSHJUL_CHROMIUM} is not an executable file: fix or unset it.`,
      );
    }
    return env.ARSHJUL_CHROMIUM;
  }
  return findOrInstallDebianPackage({
    find: () => findChromium(env),
    packageName: 'chromium',
    installing: 'Chromium: installing Debian package chromium (a minute or two the first time)',
    missing:
      'Chromium not found for the browser tests: install it (Debian: apt-get install chromium) or set ARSHJUL_CHROMIUM to its executable.',
    env,
    log,
  });
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('chromium', env) ?? (isExecutable(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
}
