import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { findOnPath, isExecutable, run } from './exec';
import { MissingPrerequisiteError, step, stderrLogger, StepLogger } from './step';

/**
 * The Temporal server the CLI v1.5.1 embeds, and the version the compose file runs: production's
 * server, built from its Go module. Its go.mod has no `replace` directive, so `go install` takes
 * it as it is; CGO is off (the PostgreSQL driver is pure Go).
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerTools {
  /** `temporal-server` (the module's cmd/server). */
  server: string;
  /** `temporal-sql-tool` (the module's cmd/tools/sql): creates and updates the schemas. */
  sqlTool: string;
}

/**
 * Returns the server and its SQL tool: TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH when set
 * (both, as an image or a package provides them), else the cached build, building both with
 * `go install` when they are not there yet.
 */
export async function ensureTemporalServer(
  env: NodeJS.ProcessEnv = process.env,
  log: StepLogger = stderrLogger,
): Promise<TemporalServerTools> {
  const named = { server: env.TEMPORAL_SERVER_PATH, sqlTool: env.TEMPORAL_SQL_TOOL_PATH };
  if (named.server || named.sqlTool) {
    for (const [variable, path] of [
      ['TEMPORAL_SERVER_PATH', named.server],
      ['TEMPORAL_SQL_TOOL_PATH', named.sqlTool],
    ] as const) {
      if (!path || !isExecutable(path)) {
        throw new MissingPrerequisiteError(
          `${variable}=${path ?? ''} is not an executable file: set both TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH, or neither.`,
        );
      }
    }
    return { server: named.server!, sqlTool: named.sqlTool! };
  }

  const binDir = join(toolCacheDir(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
  const tools = { server: join(binDir, 'temporal-server'), sqlTool: join(binDir, 'temporal-sql-tool') };
  if (isExecutable(tools.server) && isExecutable(tools.sqlTool)) return tools;

  const go = findOnPath('go', env);
  if (!go) {
    throw new MissingPrerequisiteError(
      'The Temporal server is missing and Go is needed to build it: install Go 1.23 or newer (Debian: apt-get install golang), or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH.',
    );
  }
  await step(
    `Temporal server ${TEMPORAL_SERVER_VERSION}: building with go install (several minutes the first time, seconds with a warm Go cache)`,
    async () => {
      // Build into a private folder and rename it into place, so that a concurrent run never
      // sees half a binary; `go install` names binaries after their folders, hence the renames.
      const staging = `${binDir}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      await run(
        go,
        [
          'install',
          `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
          `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        ],
        {
          env: { ...env, GOBIN: staging, CGO_ENABLED: env.CGO_ENABLED ?? '0' },
        },
      );
      renameSync(join(staging, 'server'), join(staging, 'temporal-server'));
      renameSync(join(staging, 'sql'), join(staging, 'temporal-sql-tool'));
      if (!existsSync(tools.server)) {
        mkdirSync(join(binDir, '..'), { recursive: true });
        try {
          rmSync(binDir, { recursive: true, force: true });
          renameSync(staging, binDir);
        } catch (error) {
          if (!isExecutable(tools.server)) throw error;
        }
      }
      rmSync(staging, { recursive: true, force: true });
    },
    log,
  );
  return tools;
}
