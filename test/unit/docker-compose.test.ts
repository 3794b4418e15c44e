import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/app/config';
import { TEMPORAL_SERVER_VERSION } from '../../src/toolchain/temporal-server';

/**
 * No Docker engine runs here, so `docker compose config` cannot check the production file; this
 * test reads it as Compose would and checks what ties it to the code: the services exist, the
 * commands name real entry points, and each role's environment passes our config validation.
 */
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      command?: string[];
      environment?: Record<string, string>;
      build?: string;
      image?: string;
      deploy?: { replicas?: number };
    }
  >;
};

/** Compose's `${NAME:-default}` interpolation with nothing set: the defaults apply. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('describes the production shape', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'api',
        'mailcatcher',
        'postgresql',
        'temporal',
        'temporal-namespace',
        'temporal-schema',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    // Two workers and two API processes, as the cluster stack runs them.
    expect(compose.services.worker!.deploy?.replicas).toBe(2);
    expect(compose.services.api!.deploy?.replicas).toBe(2);
  });

  it("runs Temporal's own server, the version the cluster stack builds, with the same schema steps", () => {
    const version = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
    expect(compose.services.temporal!.image).toBe(`temporalio/server:${version}`);
    expect(compose.services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${version}`);
    expect(JSON.stringify(compose)).not.toContain('auto-setup');
    const schemaSteps = (compose.services['temporal-schema']!.command ?? []).join('\n');
    for (const schema of ['postgresql/v12/temporal', 'postgresql/v12/visibility']) {
      expect(schemaSteps).toContain(`update-schema --schema-name ${schema}`);
    }
    expect(compose.services.temporal!.environment?.NUM_HISTORY_SHARDS).toBe(4);
  });

  it.each(['worker', 'api'])('%s runs a compiled entry point of ours with a valid configuration', (name) => {
    const service = compose.services[name]!;
    expect(service.build).toBe('.');
    const entry = service.command?.[1];
    expect(entry).toMatch(/^dist\/.+\.js$/);
    expect(existsSync(join(root, entry!.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
    );
    const config = loadConfig(env);
    expect(config.temporal.address).toBe('temporal:7233');
    expect(new URL(config.databaseUrl).hostname).toBe('postgresql');
  });

  it('builds the image the compose file names, and the build copies the migrations', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/RUN npm run build/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('src/db/migrations');
  });
});
