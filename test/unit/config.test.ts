import { ConfigError, loadConfig, loadOverrides, tracingEndpointOf } from '../../src/app/config';
import { tracesUrlOf } from '../../src/app/tracing';

const valid = {
  TEMPORAL_ADDRESS: 'localhost:7233',
  DATABASE_URL: 'postgres://arshjul@localhost:5432/arshjul',
  SMTP_URL: 'smtp://localhost:25',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect((error as Error).name).toBe('ConfigError');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('builds the configuration with defaults for what is optional', () => {
    expect(loadConfig(valid)).toEqual({
      municipality: 'stockholm',
      temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'arshjul' },
      databaseUrl: valid.DATABASE_URL,
      smtp: { url: 'smtp://localhost:25', from: 'Årshjul <arshjul@localhost>' },
      http: { host: '127.0.0.1', port: 3000, publicUrl: undefined },
      uploads: { maxBytes: 25 * 1024 * 1024 },
      personalData: { retentionDays: 730 },
      worker: { memoryMiB: 1024, shutdownGraceSeconds: 30 },
      metrics: { enabled: true },
    });
  });

  it('takes the worker’s cache size, memory budget and grace time, and names a bad one', () => {
    expect(
      loadConfig({
        ...valid,
        WORKER_MAX_CACHED_WORKFLOWS: '700',
        WORKER_MEMORY_MIB: '2048',
        WORKER_SHUTDOWN_GRACE_SECONDS: '45',
      }).worker,
    ).toEqual({ maxCachedWorkflows: 700, memoryMiB: 2048, shutdownGraceSeconds: 45 });
    expect(configError(() => loadConfig({ ...valid, WORKER_MEMORY_MIB: '256' })).message).toBe(
      'Invalid configuration: WORKER_MEMORY_MIB must be at least 512 (MiB)',
    );
    expect(configError(() => loadConfig({ ...valid, WORKER_MAX_CACHED_WORKFLOWS: '5' })).message).toBe(
      'Invalid configuration: WORKER_MAX_CACHED_WORKFLOWS must be at least 10',
    );
    expect(configError(() => loadConfig({ ...valid, WORKER_SHUTDOWN_GRACE_SECONDS: 'soon' })).message).toBe(
      'Invalid configuration: WORKER_SHUTDOWN_GRACE_SECONDS must be a whole number of seconds',
    );
  });

  it('serves the API’s /metrics unless METRICS_ENABLED is false, and a worker’s only on WORKER_METRICS_PORT', () => {
    expect(loadConfig({ ...valid, METRICS_ENABLED: 'false' }).metrics).toEqual({ enabled: false });
    expect(loadConfig({ ...valid, WORKER_METRICS_PORT: '9464' }).metrics).toEqual({ enabled: true, workerPort: 9464 });
    expect(loadConfig({ ...valid, WORKER_METRICS_PORT: '0' }).metrics.workerPort).toBe(0);
    expect(configError(() => loadConfig({ ...valid, METRICS_ENABLED: 'nej' })).message).toBe(
      'Invalid configuration: METRICS_ENABLED must be true or false',
    );
    expect(configError(() => loadConfig({ ...valid, WORKER_METRICS_PORT: '70000' })).message).toBe(
      'Invalid configuration: WORKER_METRICS_PORT must be between 0 and 65535',
    );
    expect(configError(() => loadOverrides({ WORKER_METRICS_PORT: 'metrics' })).message).toBe(
      'Invalid configuration: WORKER_METRICS_PORT must be a port number',
    );
  });

  it('takes the attachment limit in megabytes and names a bad one', () => {
    expect(loadConfig({ ...valid, ATTACHMENT_MAX_MB: '2.5' }).uploads.maxBytes).toBe(2_621_440);
    expect(configError(() => loadConfig({ ...valid, ATTACHMENT_MAX_MB: '0' })).message).toBe(
      'Invalid configuration: ATTACHMENT_MAX_MB must be more than 0',
    );
  });

  it('takes the proxies to believe as hops or addresses, and names a bad one', () => {
    expect(loadConfig(valid).http.trustProxy).toBeUndefined();
    expect(loadConfig({ ...valid, TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ ...valid, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.example.se', 'yes', '10.0.0.0/8,']) {
      expect(configError(() => loadConfig({ ...valid, TRUST_PROXY: bad })).problems.map((p) => p.variable)).toEqual([
        'TRUST_PROXY',
      ]);
    }
  });

  it('refuses a municipality that is not an identifier', () => {
    expect(configError(() => loadConfig({ ...valid, MUNICIPALITY: 'Stock holm' })).message).toBe(
      'Invalid configuration: MUNICIPALITY must be lower-case letters, digits and dashes, e.g. stockholm',
    );
  });

  it('names the bad variable in one line', () => {
    const error = configError(() => loadConfig({ ...valid, DATABASE_URL: 'nonsense' }));
    expect(error.message).toBe(
      'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/arshjul',
    );
    expect(error.message).not.toContain('\n');
    expect(error.problems.map((p) => p.variable)).toEqual(['DATABASE_URL']);
  });

  it('reports every missing and bad variable at once', () => {
    const error = configError(() => loadConfig({ SMTP_URL: 'http://x', HTTP_PORT: '99999' }));
    expect(error.problems).toEqual([
      { variable: 'TEMPORAL_ADDRESS', problem: 'is required' },
      { variable: 'DATABASE_URL', problem: 'is required' },
      { variable: 'SMTP_URL', problem: 'must be a smtp:// or smtps:// URL, e.g. smtp://localhost:25' },
      { variable: 'HTTP_PORT', problem: 'must be between 0 and 65535' },
    ]);
  });

  it('refuses a sender address with a line break (header injection)', () => {
    const error = configError(() => loadConfig({ ...valid, MAIL_FROM: 'a@b.se\r\nBcc: x@y.se' }));
    expect(error.problems[0]?.variable).toBe('MAIL_FROM');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...valid, TEMPORAL_NAMESPACE: '' }).temporal.namespace).toBe('default');
  });

  it('takes LOG_FORMAT json or text, leaves it to the entry point when unset, and names a bad one', () => {
    expect(loadConfig({ ...valid, LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(loadConfig({ ...valid, LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ ...valid, LOG_FORMAT: '' }).logFormat).toBeUndefined();
    expect(configError(() => loadConfig({ ...valid, LOG_FORMAT: 'pretty' })).message).toBe(
      'Invalid configuration: LOG_FORMAT must be json or text',
    );
    expect(configError(() => loadOverrides({ LOG_FORMAT: 'JSON' })).problems).toEqual([
      { variable: 'LOG_FORMAT', problem: 'must be json or text' },
    ]);
  });
});

describe('loadOverrides (npm start)', () => {
  it('accepts an empty environment: every service gets its embedded default', () => {
    expect(loadOverrides({})).toEqual({});
  });

  it('still validates what is set', () => {
    const error = configError(() => loadOverrides({ TEMPORAL_ADDRESS: 'no port' }));
    expect(error.message).toBe('Invalid configuration: TEMPORAL_ADDRESS must be host:port, e.g. localhost:7233');
  });
});

describe('signing in at an OpenID provider (OIDC_*)', () => {
  const oidc = {
    OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
    OIDC_CLIENT_ID: 'arshjul',
    OIDC_CLIENT_SECRET: 'a-secret-of-some-length',
    OIDC_REDIRECT_URL: 'https://arshjul.stockholm.se/logga-in/klar',
    OIDC_GROUP_ROLES_FILE: '/etc/arshjul/group-roles.yaml',
  };

  it('is off without OIDC_ISSUER', () => {
    expect(loadConfig(valid).oidc).toBeUndefined();
  });

  it('reads the provider, the client and the mapping, with groups as the default claim and a 15-minute grace', () => {
    expect(loadConfig({ ...valid, ...oidc }).oidc).toEqual({
      issuer: oidc.OIDC_ISSUER,
      clientId: 'arshjul',
      clientSecret: oidc.OIDC_CLIENT_SECRET,
      redirectUrl: oidc.OIDC_REDIRECT_URL,
      groupsClaim: 'groups',
      groupRolesFile: oidc.OIDC_GROUP_ROLES_FILE,
      recheckGraceSeconds: 15 * 60,
    });
    expect(loadConfig({ ...valid, ...oidc, OIDC_GROUPS_CLAIM: 'roles' }).oidc?.groupsClaim).toBe('roles');
  });

  it('takes the grace for a provider that does not answer the re-check in whole minutes, up to a session’s life', () => {
    expect(loadConfig({ ...valid, ...oidc, OIDC_RECHECK_GRACE_MINUTES: '5' }).oidc?.recheckGraceSeconds).toBe(300);
    expect(loadConfig({ ...valid, ...oidc, OIDC_RECHECK_GRACE_MINUTES: '' }).oidc?.recheckGraceSeconds).toBe(900);
    const bad = (value: string) =>
      configError(() => loadConfig({ ...valid, ...oidc, OIDC_RECHECK_GRACE_MINUTES: value })).message;
    expect(bad('en kvart')).toBe('Invalid configuration: OIDC_RECHECK_GRACE_MINUTES must be a whole number of minutes');
    expect(bad('2.5')).toBe('Invalid configuration: OIDC_RECHECK_GRACE_MINUTES must be a whole number of minutes');
    expect(bad('0')).toBe('Invalid configuration: OIDC_RECHECK_GRACE_MINUTES must be at least 1 (minute)');
    expect(bad('721')).toBe(
      'Invalid configuration: OIDC_RECHECK_GRACE_MINUTES must be at most 720 (minutes, a session’s longest life)',
    );
    expect(configError(() => loadOverrides({ OIDC_RECHECK_GRACE_MINUTES: '0' })).message).toContain(
      'OIDC_RECHECK_GRACE_MINUTES must be at least 1',
    );
  });

  it('needs the client and the mapping once OIDC_ISSUER is set', () => {
    expect(configError(() => loadConfig({ ...valid, OIDC_ISSUER: oidc.OIDC_ISSUER })).message).toBe(
      'Invalid configuration: OIDC_CLIENT_ID is required; OIDC_CLIENT_SECRET is required; ' +
        'OIDC_REDIRECT_URL is required; OIDC_GROUP_ROLES_FILE is required',
    );
  });

  it('takes http:// only on loopback', () => {
    const local = { OIDC_ISSUER: 'http://127.0.0.1:4000', OIDC_REDIRECT_URL: 'http://localhost:3000/logga-in/klar' };
    expect(loadConfig({ ...valid, ...oidc, ...local }).oidc?.issuer).toBe('http://127.0.0.1:4000');
    expect(
      configError(() =>
        loadConfig({ ...valid, ...oidc, OIDC_ISSUER: 'http://login.example.se', OIDC_CLIENT_SECRET: 'kort' }),
      ).message,
    ).toBe(
      'Invalid configuration: OIDC_ISSUER must be an https:// URL (http:// only on loopback), ' +
        'e.g. https://login.microsoftonline.com/<tenant id>/v2.0; OIDC_CLIENT_SECRET must be at least 16 characters',
    );
  });

  it('is validated for npm start too, where all of it may be unset', () => {
    expect(loadOverrides({}).OIDC_ISSUER).toBeUndefined();
    expect(configError(() => loadOverrides({ OIDC_ISSUER: 'https://idp.example.se' })).message).toMatch(
      /^Invalid configuration: OIDC_CLIENT_ID is required;/,
    );
  });
});

describe('traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('is off when unset or empty', () => {
    expect(loadConfig(valid).tracing).toBeUndefined();
    expect(loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).tracing).toBeUndefined();
    expect(tracingEndpointOf({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });

  it('takes the collector’s http(s) URL, and posts the spans to its /v1/traces', () => {
    const endpoint = 'http://otel-collector:4318';
    expect(loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).tracing).toEqual({ otlpEndpoint: endpoint });
    expect(tracesUrlOf(endpoint)).toBe('http://otel-collector:4318/v1/traces');
    expect(tracesUrlOf('https://collector.example/otlp/')).toBe('https://collector.example/otlp/v1/traces');
  });

  it('names the variable and the problem in one line, in the full configuration and read alone', () => {
    for (const bad of ['otel-collector:4318', 'grpc://otel-collector:4317']) {
      const expected =
        'Invalid configuration: OTEL_EXPORTER_OTLP_ENDPOINT must be a http:// or https:// URL, e.g. http://otel-collector:4318';
      expect(configError(() => loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: bad })).message).toBe(expected);
      expect(configError(() => tracingEndpointOf({ OTEL_EXPORTER_OTLP_ENDPOINT: bad })).message).toBe(expected);
      expect(configError(() => loadOverrides({ OTEL_EXPORTER_OTLP_ENDPOINT: bad })).message).toBe(expected);
    }
  });
});
