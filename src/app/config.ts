import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The process configuration, read from environment variables and validated once at start-up.
 * Activities never read process.env: the worker builds their dependencies from this object.
 */

const emptyAsUnset = (value: unknown): unknown => (value === '' ? undefined : value);

/** An IPv4 or IPv6 address, with or without a /prefix. */
function isAddressOrRange(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || !address || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (isIP(address) === 4 ? 32 : 128);
}

function urlWithProtocols(protocols: string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL, e.g. ${example}` },
  );
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https://, or http:// on loopback only (the development provider). */
function httpsOrLoopback(example: string) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
      } catch {
        return false;
      }
    },
    { message: `must be an https:// URL (http:// only on loopback), e.g. ${example}` },
  );
}

const mailbox = z
  .string()
  .refine((value) => !/[\r\n]/.test(value), { message: 'must be one line' })
  .refine((value) => /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(value.trim()), {
    message: 'must be an address like "Årshjul <arshjul@example.se>" or arshjul@example.se',
  });

/** Each variable's rule; shared by the strict worker config and the lenient `npm start` overrides. */
export const configFields = {
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, { message: 'must be host:port, e.g. localhost:7233' }),
  TEMPORAL_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, {
    message: 'must be a Temporal namespace name (letters, digits, . _ -)',
  }),
  TEMPORAL_TASK_QUEUE: z.string().min(1, { message: 'must not be empty' }),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user@localhost:5432/arshjul'),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:'], 'smtp://localhost:25'),
  MAIL_FROM: mailbox,
  HTTP_HOST: z.string().min(1, { message: 'must not be empty' }),
  HTTP_PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be between 0 and 65535' })
    .max(65535, { message: 'must be between 0 and 65535' }),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:'], 'https://arshjul.stockholm.se'),
  /** The largest attachment a board may upload, in megabytes. */
  ATTACHMENT_MAX_MB: z.coerce
    .number({ message: 'must be a number of megabytes' })
    .positive({ message: 'must be more than 0' })
    .max(1024, { message: 'must be at most 1024 (larger files belong in the city’s document system)' }),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For): a
   * number of hops, or addresses and CIDR ranges separated by commas. Unset: none, the socket's
   * address is the client's (behind a proxy every client would share the proxy's address, and a
   * guesser's block would block everyone).
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((v) => /^\d{1,2}$/.test(v) || v.split(',').every((part) => isAddressOrRange(part.trim())), {
      message:
        'must be a number of proxy hops (e.g. 1) or addresses and CIDR ranges separated by commas, e.g. 10.0.0.0/8,127.0.0.1',
    })
    .transform((v): number | string[] => (/^\d{1,2}$/.test(v) ? Number(v) : v.split(',').map((p) => p.trim()))),
  /**
   * How long personal data nothing needs any more is kept (issue 13): a person with no role in
   * force and no sign-in for this many days is pseudonymised, and ended sessions this old are
   * removed (`arshjul person prune`). See the README's "Personal data".
   */
  PERSONAL_DATA_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a whole number of days' })
    .int({ message: 'must be a whole number of days' })
    .min(30, { message: 'must be at least 30 (days)' })
    .max(3650, { message: 'must be at most 3650 (days)' }),
  /** The municipality this deployment serves: its registry, cycles and boards' roles. */
  MUNICIPALITY: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: 'must be lower-case letters, digits and dashes, e.g. stockholm',
  }),
  /**
   * Signing in at an OpenID provider (issue 13). Unset: `npm start` starts its development
   * provider and sets these itself; the API and the worker then take what they are given.
   */
  OIDC_ISSUER: httpsOrLoopback('https://login.microsoftonline.com/<tenant id>/v2.0'),
  OIDC_CLIENT_ID: z.string().min(1, { message: 'must not be empty' }),
  OIDC_CLIENT_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }),
  /** Where the provider sends people back to Årshjul; registered at the provider as is. */
  OIDC_REDIRECT_URL: httpsOrLoopback('https://arshjul.stockholm.se/logga-in/klar'),
  /** The claim that carries the person's group names (Entra ID and Keycloak: `groups`). */
  OIDC_GROUPS_CLAIM: z.string().regex(/^[A-Za-z0-9_.:/-]{1,100}$/, {
    message: 'must be a claim name (letters, digits and _ . : / -), e.g. groups',
  }),
  /** The mapping of those groups to roles (src/domain/group-roles.ts), e.g. data/stockholm/group-roles.yaml. */
  OIDC_GROUP_ROLES_FILE: z.string().min(1, { message: 'must not be empty' }),
  /**
   * How long a session goes on while the provider does not answer the re-check of the person's
   * groups (counted from the first attempt since the last success); then it ends
   * (`provider-unreachable`) and the person signs in again. At most a session's twelve hours.
   */
  OIDC_RECHECK_GRACE_MINUTES: z.coerce
    .number({ message: 'must be a whole number of minutes' })
    .int({ message: 'must be a whole number of minutes' })
    .min(1, { message: 'must be at least 1 (minute)' })
    .max(720, { message: 'must be at most 720 (minutes, a session’s longest life)' }),
  /**
   * How many workflows a worker keeps cached. Unset: as many as fit WORKER_MEMORY_MIB by the
   * measured cost of one (maxCachedWorkflowsFor in src/app/worker-process.ts).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ message: 'must be a whole number of workflows' })
    .int({ message: 'must be a whole number of workflows' })
    .min(10, { message: 'must be at least 10' })
    .max(100_000, { message: 'must be at most 100000' }),
  /**
   * The resident memory a worker process is sized for (its container's limit): the workflow cache
   * is what fits beside the rest of the process. Issue 16's budget: 1 GiB for 3,000 open deliverables.
   */
  WORKER_MEMORY_MIB: z.coerce
    .number({ message: 'must be a whole number of MiB' })
    .int({ message: 'must be a whole number of MiB' })
    .min(512, { message: 'must be at least 512 (MiB)' })
    .max(1_048_576, { message: 'must be at most 1048576 (MiB)' }),
  /** How long a stopping worker lets the activities under way finish before they are cancelled. */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int({ message: 'must be a whole number of seconds' })
    .min(1, { message: 'must be at least 1 (second)' })
    .max(600, { message: 'must be at most 600 (seconds)' }),
  /** How the processes write their log: json (one object per line) or text. Unset: the entry point's default. */
  LOG_FORMAT: z.enum(['json', 'text'], { message: 'must be json or text' }),
  /**
   * Where traces go (OpenTelemetry's standard variable): the OTLP/HTTP collector's base URL; spans
   * are posted to <endpoint>/v1/traces. Unset: no tracing at all (src/app/tracing.ts).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithProtocols(['http:', 'https:'], 'http://otel-collector:4318'),
  /**
   * Whether the API answers GET /metrics (Prometheus' text format, unauthenticated: scraped from
   * inside the network where HTTP_HOST binds). On unless `false`.
   */
  METRICS_ENABLED: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true'),
  /**
   * Where a worker process answers GET /metrics (its own metrics and the Temporal SDK's), on
   * HTTP_HOST. Unset: no listener (a worker has no HTTP server otherwise); 0: any free port,
   * printed at start.
   */
  WORKER_METRICS_PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be between 0 and 65535' })
    .max(65535, { message: 'must be between 0 and 65535' }),
} as const;

/** What signing in with OpenID Connect needs once OIDC_ISSUER names a provider. */
const OIDC_REQUIRED = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL', 'OIDC_GROUP_ROLES_FILE'] as const;

const defaults: Partial<Record<keyof typeof configFields, string>> = {
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_TASK_QUEUE: 'arshjul',
  MAIL_FROM: 'Årshjul <arshjul@localhost>',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '3000',
  MUNICIPALITY: 'stockholm',
  ATTACHMENT_MAX_MB: '25',
  PERSONAL_DATA_RETENTION_DAYS: '730',
  WORKER_SHUTDOWN_GRACE_SECONDS: '30',
  WORKER_MEMORY_MIB: '1024',
  METRICS_ENABLED: 'true',
};

const optional = <T extends z.ZodType>(field: T) => z.preprocess(emptyAsUnset, field.optional());

const oidcFields = {
  OIDC_ISSUER: optional(configFields.OIDC_ISSUER),
  OIDC_CLIENT_ID: optional(configFields.OIDC_CLIENT_ID),
  OIDC_CLIENT_SECRET: optional(configFields.OIDC_CLIENT_SECRET),
  OIDC_REDIRECT_URL: optional(configFields.OIDC_REDIRECT_URL),
  OIDC_GROUPS_CLAIM: optional(configFields.OIDC_GROUPS_CLAIM),
  OIDC_GROUP_ROLES_FILE: optional(configFields.OIDC_GROUP_ROLES_FILE),
  OIDC_RECHECK_GRACE_MINUTES: optional(configFields.OIDC_RECHECK_GRACE_MINUTES),
};

/** With OIDC_ISSUER set, the client and the mapping must be named too (reported as "is required"). */
function requireOidcWithIssuer(values: Partial<Record<keyof typeof oidcFields, unknown>>, ctx: z.RefinementCtx): void {
  if (values.OIDC_ISSUER === undefined) return;
  for (const variable of OIDC_REQUIRED)
    if (values[variable] === undefined) ctx.addIssue({ code: 'custom', path: [variable], message: 'is required' });
}

const strictSchema = z
  .object({
    TEMPORAL_ADDRESS: z.preprocess(emptyAsUnset, configFields.TEMPORAL_ADDRESS),
    TEMPORAL_NAMESPACE: z.preprocess(emptyAsUnset, configFields.TEMPORAL_NAMESPACE),
    TEMPORAL_TASK_QUEUE: z.preprocess(emptyAsUnset, configFields.TEMPORAL_TASK_QUEUE),
    DATABASE_URL: z.preprocess(emptyAsUnset, configFields.DATABASE_URL),
    SMTP_URL: z.preprocess(emptyAsUnset, configFields.SMTP_URL),
    MAIL_FROM: z.preprocess(emptyAsUnset, configFields.MAIL_FROM),
    HTTP_HOST: z.preprocess(emptyAsUnset, configFields.HTTP_HOST),
    HTTP_PORT: z.preprocess(emptyAsUnset, configFields.HTTP_PORT),
    PUBLIC_URL: optional(configFields.PUBLIC_URL),
    MUNICIPALITY: z.preprocess(emptyAsUnset, configFields.MUNICIPALITY),
    ATTACHMENT_MAX_MB: z.preprocess(emptyAsUnset, configFields.ATTACHMENT_MAX_MB),
    PERSONAL_DATA_RETENTION_DAYS: z.preprocess(emptyAsUnset, configFields.PERSONAL_DATA_RETENTION_DAYS),
    TRUST_PROXY: optional(configFields.TRUST_PROXY),
    WORKER_MAX_CACHED_WORKFLOWS: optional(configFields.WORKER_MAX_CACHED_WORKFLOWS),
    WORKER_SHUTDOWN_GRACE_SECONDS: z.preprocess(emptyAsUnset, configFields.WORKER_SHUTDOWN_GRACE_SECONDS),
    WORKER_MEMORY_MIB: z.preprocess(emptyAsUnset, configFields.WORKER_MEMORY_MIB),
    LOG_FORMAT: optional(configFields.LOG_FORMAT),
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(configFields.OTEL_EXPORTER_OTLP_ENDPOINT),
    METRICS_ENABLED: z.preprocess(emptyAsUnset, configFields.METRICS_ENABLED),
    WORKER_METRICS_PORT: optional(configFields.WORKER_METRICS_PORT),
    ...oidcFields,
  })
  .superRefine(requireOidcWithIssuer);

const lenientSchema = z
  .object({
    TEMPORAL_ADDRESS: optional(configFields.TEMPORAL_ADDRESS),
    TEMPORAL_NAMESPACE: optional(configFields.TEMPORAL_NAMESPACE),
    TEMPORAL_TASK_QUEUE: optional(configFields.TEMPORAL_TASK_QUEUE),
    DATABASE_URL: optional(configFields.DATABASE_URL),
    SMTP_URL: optional(configFields.SMTP_URL),
    MAIL_FROM: optional(configFields.MAIL_FROM),
    HTTP_HOST: optional(configFields.HTTP_HOST),
    HTTP_PORT: optional(configFields.HTTP_PORT),
    PUBLIC_URL: optional(configFields.PUBLIC_URL),
    MUNICIPALITY: optional(configFields.MUNICIPALITY),
    ATTACHMENT_MAX_MB: optional(configFields.ATTACHMENT_MAX_MB),
    PERSONAL_DATA_RETENTION_DAYS: optional(configFields.PERSONAL_DATA_RETENTION_DAYS),
    TRUST_PROXY: optional(configFields.TRUST_PROXY),
    WORKER_MAX_CACHED_WORKFLOWS: optional(configFields.WORKER_MAX_CACHED_WORKFLOWS),
    WORKER_SHUTDOWN_GRACE_SECONDS: optional(configFields.WORKER_SHUTDOWN_GRACE_SECONDS),
    WORKER_MEMORY_MIB: optional(configFields.WORKER_MEMORY_MIB),
    LOG_FORMAT: optional(configFields.LOG_FORMAT),
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(configFields.OTEL_EXPORTER_OTLP_ENDPOINT),
    METRICS_ENABLED: optional(configFields.METRICS_ENABLED),
    WORKER_METRICS_PORT: optional(configFields.WORKER_METRICS_PORT),
    ...oidcFields,
  })
  .superRefine(requireOidcWithIssuer);

export interface AppConfig {
  municipality: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  databaseUrl: string;
  smtp: { url: string; from: string };
  http: { host: string; port: number; publicUrl?: string; trustProxy?: number | string[] };
  /** Attachments: the largest a board may upload. */
  uploads: { maxBytes: number };
  /** Personal data: days kept after a person's last role and sign-in (PERSONAL_DATA_RETENTION_DAYS). */
  personalData: { retentionDays: number };
  /** A worker process's tuning (WORKER_MAX_CACHED_WORKFLOWS, WORKER_MEMORY_MIB, WORKER_SHUTDOWN_GRACE_SECONDS). */
  worker: { maxCachedWorkflows?: number; memoryMiB: number; shutdownGraceSeconds: number };
  /** LOG_FORMAT when set; unset, each entry point takes its own (json in production, text for npm start). */
  logFormat?: 'json' | 'text';
  /** Traces: exported to this OTLP/HTTP endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: { otlpEndpoint: string };
  /** Prometheus: the API's GET /metrics (METRICS_ENABLED), a worker's listener (WORKER_METRICS_PORT). */
  metrics: { enabled: boolean; workerPort?: number };
  /**
   * Signing in at an OpenID provider, when OIDC_ISSUER names one (issue 13).
   * TODO(issue 13, relying party): the sign-in routes and sessions read this.
   */
  oidc?: OidcConfig;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  /** The claim with the person's group names; `groups` unless OIDC_GROUPS_CLAIM says otherwise. */
  groupsClaim: string;
  /** The file that maps groups to roles (loadGroupRoles in src/client/data-files.ts). */
  groupRolesFile: string;
  /**
   * How long the re-check may fail to reach the provider before a session ends; 15 minutes unless
   * OIDC_RECHECK_GRACE_MINUTES says otherwise.
   */
  recheckGraceSeconds: number;
}

export type ConfigOverrides = z.output<typeof lenientSchema>;

/** Bad configuration: the message is one line naming each bad variable and what is wrong. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
  }
}

function toConfigError(error: z.ZodError, env: Record<string, unknown>): ConfigError {
  return new ConfigError(
    error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const unset = env[variable] === undefined || env[variable] === '';
      return { variable, problem: unset ? 'is required' : issue.message };
    }),
  );
}

/** The full configuration of a worker or API process; every required variable must be set. */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const withDefaults: Record<string, unknown> = { ...env };
  for (const [name, value] of Object.entries(defaults)) {
    if (withDefaults[name] === undefined || withDefaults[name] === '') withDefaults[name] = value;
  }
  const parsed = strictSchema.safeParse(withDefaults);
  if (!parsed.success) throw toConfigError(parsed.error, withDefaults);
  const c = parsed.data;
  return {
    municipality: c.MUNICIPALITY,
    temporal: { address: c.TEMPORAL_ADDRESS, namespace: c.TEMPORAL_NAMESPACE, taskQueue: c.TEMPORAL_TASK_QUEUE },
    databaseUrl: c.DATABASE_URL,
    smtp: { url: c.SMTP_URL, from: c.MAIL_FROM },
    http: {
      host: c.HTTP_HOST,
      port: c.HTTP_PORT,
      publicUrl: c.PUBLIC_URL,
      ...(c.TRUST_PROXY !== undefined && { trustProxy: c.TRUST_PROXY }),
    },
    uploads: { maxBytes: Math.round(c.ATTACHMENT_MAX_MB * 1024 * 1024) },
    personalData: { retentionDays: c.PERSONAL_DATA_RETENTION_DAYS },
    worker: {
      ...(c.WORKER_MAX_CACHED_WORKFLOWS !== undefined && { maxCachedWorkflows: c.WORKER_MAX_CACHED_WORKFLOWS }),
      memoryMiB: c.WORKER_MEMORY_MIB,
      shutdownGraceSeconds: c.WORKER_SHUTDOWN_GRACE_SECONDS,
    },
    ...(c.LOG_FORMAT !== undefined && { logFormat: c.LOG_FORMAT }),
    ...(c.OTEL_EXPORTER_OTLP_ENDPOINT && { tracing: { otlpEndpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT } }),
    metrics: {
      enabled: c.METRICS_ENABLED,
      ...(c.WORKER_METRICS_PORT !== undefined && { workerPort: c.WORKER_METRICS_PORT }),
    },
    oidc: c.OIDC_ISSUER
      ? {
          issuer: c.OIDC_ISSUER,
          clientId: c.OIDC_CLIENT_ID!,
          clientSecret: c.OIDC_CLIENT_SECRET!,
          redirectUrl: c.OIDC_REDIRECT_URL!,
          groupsClaim: c.OIDC_GROUPS_CLAIM ?? 'groups',
          groupRolesFile: c.OIDC_GROUP_ROLES_FILE!,
          recheckGraceSeconds: (c.OIDC_RECHECK_GRACE_MINUTES ?? 15) * 60,
        }
      : undefined,
  };
}

/**
 * What the user set for `npm start`, validated but all optional: a variable that is unset makes
 * the stack start its embedded default (dev server, private PostgreSQL, SMTP sink).
 */
export function loadOverrides(env: NodeJS.ProcessEnv): ConfigOverrides {
  const parsed = lenientSchema.safeParse(env);
  if (!parsed.success) throw toConfigError(parsed.error, env);
  return parsed.data;
}

export const configDefaults = defaults;

const tracingSchema = z.object({ OTEL_EXPORTER_OTLP_ENDPOINT: optional(configFields.OTEL_EXPORTER_OTLP_ENDPOINT) });

/**
 * The tracing endpoint alone, read before anything else of the process is loaded (tracing must
 * be installed before pg is required); the same rule as loadConfig's, the same one-line error.
 */
export function tracingEndpointOf(env: NodeJS.ProcessEnv): string | undefined {
  const parsed = tracingSchema.safeParse(env);
  if (!parsed.success) throw toConfigError(parsed.error, env);
  return parsed.data.OTEL_EXPORTER_OTLP_ENDPOINT;
}

/** Where mails link to: PUBLIC_URL, else the HTTP server's own address when its port is fixed. */
export function publicUrlOf(config: AppConfig): string | undefined {
  if (config.http.publicUrl) return config.http.publicUrl;
  return config.http.port > 0 ? `http://${config.http.host}:${config.http.port}` : undefined;
}
