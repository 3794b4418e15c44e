import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolCacheDir } from './cache-dir';
import { findOnPath, isExecutable, run } from './exec';
import { MissingPrerequisiteError, step, stderrLogger, StepLogger } from './step';

/** Java SDK release whose `temporal-test-server` artifact we run (Maven Central). */
export const TEST_SERVER_VERSION = '1.38.0';

/**
 * Returns the path of an executable that starts the time-skipping test server. The TypeScript
 * SDK runs it as `<path> <port>`. The jar and its dependencies come from Maven Central through
 * Maven (so ~/.m2 caches them) and are copied into the tool cache next to a small wrapper.
 */
export async function ensureTimeSkippingServer(
  env: NodeJS.ProcessEnv = process.env,
  log: StepLogger = stderrLogger,
): Promise<string> {
  if (env.TEMPORAL_TEST_SERVER_PATH) {
    if (!isExecutable(env.TEMPORAL_TEST_SERVER_PATH)) {
      throw new MissingPrerequisiteError(
        `TEMPORAL_TEST_SERVER_PATH=${env.TEMPORAL_TEST_SERVER_PATH} is not an executable file: fix or unset it.`,
      );
    }
    return env.TEMPORAL_TEST_SERVER_PATH;
  }
  const home = join(toolCacheDir(env), 'temporal-test-server', TEST_SERVER_VERSION);
  const wrapper = join(home, 'temporal-test-server');
  if (isExecutable(wrapper)) return wrapper;

  const java = findOnPath('java', env);
  const mvn = findOnPath('mvn', env);
  if (!java || !mvn) {
    throw new MissingPrerequisiteError(
      'The time-skipping test server needs Java 11+ and Maven: install them (Debian: apt-get install default-jdk-headless maven).',
    );
  }
  await step(
    `Temporal time-skipping test server ${TEST_SERVER_VERSION}: fetching from Maven Central`,
    async () => {
      const staging = `${home}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      writeFileSync(join(staging, 'pom.xml'), testServerPom(TEST_SERVER_VERSION));
      await run(mvn, ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib'], {
        cwd: staging,
        env,
      });
      const libDir = join(home, 'lib');
      // The wrapper names its own folder, so it stays valid after the rename below.
      writeFileSync(
        join(staging, 'temporal-test-server'),
        [
          '#!/bin/sh',
          '# Starts the Temporal time-skipping test server; the SDK passes the port as the argument.',
          `exec "${java}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp '${libDir}/*' io.temporal.testserver.TestServer "$@"`,
          '',
        ].join('\n'),
      );
      chmodSync(join(staging, 'temporal-test-server'), 0o755);
      mkdirSync(join(home, '..'), { recursive: true });
      try {
        renameSync(staging, home);
      } catch (error) {
        if (!isExecutable(wrapper)) throw error;
        rmSync(staging, { recursive: true, force: true });
      }
    },
    log,
  );
  return wrapper;
}

function testServerPom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>se.stockholm.arshjul</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
}
