import { findOnPath } from './exec';
import { findOrInstallDebianPackage } from './debian-package';
import { stderrLogger, StepLogger } from './step';

/**
 * Debian's `pdftotext` (poppler-utils): the tests read the PDFs Årshjul writes back with a reader
 * that shares no code with the writer. Installed with apt-get as root when missing.
 */
export function ensurePdftotext(env: NodeJS.ProcessEnv = process.env, log: StepLogger = stderrLogger): Promise<string> {
  return findOrInstallDebianPackage({
    find: () => findOnPath('pdftotext', env),
    packageName: 'poppler-utils',
    installing: 'pdftotext: installing Debian package poppler-utils',
    missing: 'pdftotext not found for the export tests: install it (Debian: apt-get install poppler-utils).',
    env,
    log,
  });
}
