/**
 * Progress reporting for provisioning and start-up: every step says what it does and how long
 * it took, on stderr, so that stdout stays free for machine-readable output.
 */
export interface StepLogger {
  (line: string): void;
}

export const stderrLogger: StepLogger = (line) => process.stderr.write(`${line}\n`);

export async function step<T>(name: string, run: () => Promise<T>, log: StepLogger = stderrLogger): Promise<T> {
  const started = Date.now();
  log(`→ ${name}`);
  try {
    const result = await run();
    log(`✓ ${name} (${formatSeconds(Date.now() - started)})`);
    return result;
  } catch (error) {
    log(`✗ ${name} (${formatSeconds(Date.now() - started)})`);
    throw error;
  }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A prerequisite is missing: the message is one line that says what to install. */
export class MissingPrerequisiteError extends Error {
  override name = 'MissingPrerequisiteError';
}
