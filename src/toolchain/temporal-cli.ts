import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { findOnPath, isExecutable, run } from './exec';
import { MissingPrerequisiteError, step, stderrLogger, StepLogger } from './step';

/**
 * The one Temporal CLI release that can be built with `go install`: later tags carry a `replace`
 * directive in go.mod, which `go install module@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

/**
 * Returns the path of a Temporal CLI (the dev server): TEMPORAL_CLI_PATH, then `temporal` on
 * PATH, then the cached build, building it from its Go module when none is there.
 */
export async function ensureTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: StepLogger = stderrLogger,
): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new MissingPrerequisiteError(
        `TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file: fix or unset it.`,
      );
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return onPath;

  const binDir = join(toolCacheDir(env), 'temporal-cli', TEMPORAL_CLI_VERSION);
  const binary = join(binDir, 'temporal');
  if (isExecutable(binary)) return binary;

  const go = findOnPath('go', env);
  if (!go) {
    throw new MissingPrerequisiteError(
      'The Temporal CLI is missing and Go is needed to build it: install Go 1.22 or newer (Debian: apt-get install golang), or set TEMPORAL_CLI_PATH.',
    );
  }
  await step(
    `Temporal CLI ${TEMPORAL_CLI_VERSION}: building with go install (minutes the first time, seconds with a warm Go cache)`,
    async () => {
      // Build into a private folder and rename, so a concurrent run never sees half a binary.
      const staging = `${binDir}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      await run(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
        env: { ...env, GOBIN: staging, CGO_ENABLED: env.CGO_ENABLED ?? '0' },
      });
      if (!existsSync(binary)) {
        mkdirSync(join(binDir, '..'), { recursive: true });
        try {
          renameSync(staging, binDir);
        } catch (error) {
          if (!isExecutable(binary)) throw error;
        }
      }
      rmSync(staging, { recursive: true, force: true });
    },
    log,
  );
  return binary;
}
