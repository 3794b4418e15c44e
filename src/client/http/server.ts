import formBody from '@fastify/formbody';
import Fastify, { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { CycleOperations } from '../operations/cycle-operations';
import { registerApi } from './api/routes';
import { registerAuthentication } from './auth';
import { AuthGuardPolicy, createAuthGuard } from './auth-guard';
import { createSignIn, NO_SIGN_IN, SignInSettings } from './sign-in/sign-in';
import { registerSignInRoutes } from './sign-in/sign-in-routes';
import { createPostgresAttachmentStore } from '../../db/attachments';
import { DEFAULT_UPLOAD_POLICY, UploadPolicy } from '../../domain/file-types';
import { createAnswerFileOperations } from '../operations/answer-files';
import { createAttachmentOperations } from '../operations/attachments';
import { createExportOperations } from '../operations/exports';
import { createReportDraftOperations } from '../operations/report-drafts';
import { createReportReviewOperations } from '../operations/report-review';
import { shippedTemplatesDir } from '../templates';
import { registerAttachmentRoutes } from './attachments';
import { registerExportRoutes } from './exports';
import { registerFeedRoutes } from './feeds';
import { checkHealth, HealthProbe } from './health';
import { registerPages } from './pages';
import { registerRequestLog, RequestLogger, requestIdOf } from './request-log';
import { registerRequestSpans } from './request-spans';

export interface HttpAppDeps {
  ops: CycleOperations;
  pool: Pool;
  /** Where users reach the pages (links in mails and feeds). */
  publicUrl?: string;
  /** Writes per token, route and minute through the API (counted in PostgreSQL, shared by all API processes). */
  writesPerMinute?: number;
  /** Where the API reports trouble that does not fail a request, e.g. the rate limit store failing (default: standard error). */
  warn?: (line: string) => void;
  /** What a board may attach: size limit and file types (default 25 MB of PDF, Word, Excel, OpenDocument). */
  uploads?: UploadPolicy;
  /** Where the report templates named by the calendars are (default: the shipped data/<municipality>/templates). */
  templatesDir?: string;
  /** Failed sign-ins and wrong tokens a client may make per window (default 20 per 10 minutes). */
  authGuard?: AuthGuardPolicy;
  /** Single sign-on through an OpenID provider (issue 13); absent, people sign in with keys only. */
  signIn?: SignInSettings;
}

/** Request timing and the /metrics exposition (src/app/metrics.ts); the server knows no more of Prometheus. */
export interface HttpMetrics {
  /** `route` is the matched pattern (`/namnd/:boardId`), undefined when no route matched. */
  requestDone(method: string, route: string | undefined, status: number, seconds: number): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export interface HttpServerDeps {
  probes: Record<string, HealthProbe>;
  /**
   * Times every request and answers GET /metrics, unauthenticated: Prometheus scrapes it from
   * inside the city's network, where the HTTP server is bound (see the README's "Metrics").
   */
  metrics?: HttpMetrics;
  /** The API, pages and feeds; without it the server answers /healthz only. */
  app?: HttpAppDeps;
  /** The proxies believed about the client's address (TRUST_PROXY): hops, or addresses and ranges. */
  trustProxy?: number | string[];
  /** Access and error lines with each request's ID (src/client/http/request-log.ts); none without. */
  log?: RequestLogger;
  /** A trace span per request (src/client/http/request-spans.ts); on when tracing is. */
  traceRequests?: boolean;
}

/** A route as registered: its method and URL pattern (`/namnd/:boardId`). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Every route the server registered (HEAD twins of GET routes left out), so the authorisation
 * table test is generated from what the server answers and a new route cannot be missed.
 */
export function registeredRoutes(app: FastifyInstance): RegisteredRoute[] {
  return [...(registered.get(app) ?? [])];
}

/** The HTTP server: /healthz, the API under /api, the web pages and the calendar feeds. */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const hops = deps.trustProxy;
  const app = Fastify({
    logger: false,
    genReqId: requestIdOf,
    // A number of hops is a function to Fastify's types: believe the nearest `hops` proxies.
    ...(hops !== undefined && {
      trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops,
    }),
  });
  registerRequestLog(app, deps.log);
  if (deps.traceRequests) registerRequestSpans(app);
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
  const metrics = deps.metrics;
  if (metrics) {
    // The route pattern, not the URL: one series per route whatever the ids in it.
    app.addHook('onResponse', async (request, reply) => {
      metrics.requestDone(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    });
  }
  app.get('/healthz', async (_request, reply) => {
    const health = await checkHealth(deps.probes);
    return reply.code(health.ok ? 200 : 503).send({ status: health.ok ? 'ok' : 'degraded', ...health });
  });
  if (deps.app) {
    const authGuard = createAuthGuard(deps.app.pool, deps.app.authGuard);
    const signIn = createSignIn(deps.app.pool, deps.app.ops, deps.app.signIn);
    registerAuthentication(app, deps.app.pool, authGuard, signIn?.sessions);
    if (deps.app.signIn) allowFormsToProvider(app, new URL(deps.app.signIn.provider.issuer).origin);
    registerSignInRoutes(app, {
      pool: deps.app.pool,
      guard: authGuard,
      ...(deps.app.publicUrl && { publicUrl: deps.app.publicUrl }),
      ...(signIn?.routes ?? NO_SIGN_IN),
    });
    await app.register(formBody);
    const drafts = createReportDraftOperations({
      ops: deps.app.ops,
      pool: deps.app.pool,
      templatesDir: deps.app.templatesDir ?? shippedTemplatesDir(deps.app.ops.municipality),
    });
    const store = createPostgresAttachmentStore(deps.app.pool);
    const attachments = createAttachmentOperations({
      ops: deps.app.ops,
      pool: deps.app.pool,
      store,
      policy: deps.app.uploads ?? DEFAULT_UPLOAD_POLICY,
    });
    const answerFiles = createAnswerFileOperations({ drafts, attachments });
    const review = createReportReviewOperations({ pool: deps.app.pool, drafts, attachments: store });
    await registerApi(app, { ...deps.app, drafts, review });
    await registerPages(app, { ...deps.app, drafts, attachments, answerFiles, review, guard: authGuard });
    registerFeedRoutes(app, { pool: deps.app.pool });
    registerExportRoutes(app, createExportOperations({ ops: deps.app.ops, pool: deps.app.pool, store }));
    registerAttachmentRoutes(app, attachments, {
      drafts,
      ...(deps.app.publicUrl && { publicUrl: deps.app.publicUrl }),
    });
  }
  return app;
}

/**
 * The pages' `form-action 'self'` also holds for where a form's answer redirects (Chromium):
 * "Fortsätt till stadens inloggning" (GET /logga-in/sso) and "Logga ut" (POST /logga-ut) end at
 * the provider, so its origin is allowed too. The provider's end-session endpoint is expected
 * at the issuer's origin (as at Entra ID, Keycloak and the development provider).
 */
function allowFormsToProvider(app: FastifyInstance, providerOrigin: string): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy === 'string' && policy.includes("form-action 'self'")) {
      reply.header(
        'content-security-policy',
        policy.replace("form-action 'self'", `form-action 'self' ${providerOrigin}`),
      );
    }
    return payload;
  });
}
