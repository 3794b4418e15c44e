import type { FastifyInstance } from 'fastify';
import { createApiToken } from '../../src/db/api-tokens';
import type { UploadPolicy } from '../../src/domain/file-types';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { createCycleOperations, CycleOperations } from '../../src/client/operations/cycle-operations';
import { startCycle } from '../../src/client/start-cycles';
import { shippedTemplatesDir, templateIdsOf, templateLookup } from '../../src/client/templates';
import type { AuthGuardPolicy } from '../../src/client/http/auth-guard';
import { buildHttpServer } from '../../src/client/http/server';
import { createMetrics } from '../../src/app/metrics';
import { CycleCalendar, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { loadGroupRoles, shippedGroupRolesPath } from '../../src/client/data-files';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { freePort } from '../../src/stack/free-port';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { smallRegistry } from '../fixtures/small-registry';
import { RunningWorkerContext, useRunningWorker } from './stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from './temporal';

export const STACK_YEAR = 2090;

/** Secrets of one token per role, created in the stack's database. */
export interface StackTokens {
  admin: string;
  committee: string;
  farsta: string;
  jarva: string;
  kulturnamnden: string;
  /** The förvaltningschef's key of each board: the sign-off (påskrift) is theirs alone. */
  farstaChef: string;
  jarvaChef: string;
  kulturnamndenChef: string;
  /** Stokab's VD: a company board's sign-off. */
  stokabChef: string;
}

export interface HttpStack extends RunningWorkerContext {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> of the listening server. */
  url: string;
  ops: CycleOperations;
  tokens: StackTokens;
  /** The tokens' public ids (`tok_…`), as the audit log names the caller (`token:<id>`). */
  tokenIds: Record<keyof StackTokens, string>;
  calendar: CycleCalendar;
  /** The Stockholm date the cycle was planned from (the time-skipping server's date at start). */
  day0: string;
  /** The development OpenID provider, when the stack was asked to sign people in (`signIn`). */
  provider?: OpenIdProvider;
  /** Moves the time-skipping server's clock to day0 + days, at a Stockholm time (never back). */
  advanceTo(days: number, time?: string): Promise<void>;
}

/**
 * The small registry's cycle `teststad/2090` on a time-skipping server, with a worker, the
 * HTTP server listening on a free port, and one token per role. Day 1 at noon: two phases open.
 *
 * - `tertialrapport` opens day 1, deadline day 15 (no review step);
 * - `budgetunderlag` opens day 1, deadline day 40, reviewed by SLK;
 * - milestone `kf-budget` on day 30 opens `verksamhetsplan` (deadline day 60).
 *
 * `options.phases` replaces these phases (a test of other content, e.g. a LUP year).
 */
export interface HttpStackOptions {
  writesPerMinute?: number;
  /** Wrong secrets a client may send per window (a test that sends many on purpose raises it). */
  authGuard?: AuthGuardPolicy;
  /** What boards may attach (a small limit lets a test send an oversized file quickly). */
  uploads?: UploadPolicy;
  /**
   * The cycle's phases instead of the default ones, given the day helper (day0 + days). The
   * stack also starts the districts' LUP workflows when these phases have LUP stages.
   */
  phases?: (d: (days: number) => string) => unknown[];
  /**
   * Where the templates the phases name are, the first folder that has one winning (default:
   * the shipped ones of the municipality).
   */
  templatesDir?: string | string[];
  /** The KF goals of the year (the calendar's `goals`), for templates that ask per goal. */
  goals?: Array<{ id: string; name: string }>;
  /**
   * Single sign-on: the development OpenID provider with the seeded people
   * (data/stockholm/dev-people.yaml) and the shipped group mapping, the server on a port chosen
   * first so that the provider knows its redirect URL.
   */
  signIn?: boolean;
}

const SIGN_IN_SECRET = 'http-stack-client-secret-0123456789abcdef';

export function useHttpStack(label: string, options: HttpStackOptions = {}): HttpStack {
  const { phases, goals, templatesDir, signIn, ...appOptions } = options;
  const ctx = useRunningWorker(startTimeSkippingEnv, label);
  const stack = ctx as HttpStack;
  beforeAll(async () => {
    const pool = ctx.harness.db.pool;
    await withTransaction(pool, (tx) => replaceRegistry(tx, smallRegistry));
    const roles: Record<Exclude<keyof StackTokens, `${string}Chef`>, string> = {
      admin: 'admin',
      committee: 'committee',
      farsta: 'board:farsta',
      jarva: 'board:jarva',
      kulturnamnden: 'board:kulturnamnden',
    };
    stack.tokens = {} as StackTokens;
    stack.tokenIds = {} as HttpStack['tokenIds'];
    for (const [name, role] of Object.entries(roles) as Array<[keyof StackTokens, string]>) {
      const created = await createApiToken(pool, { role, label: `test ${role}`, createdBy: 'test' });
      stack.tokens[name] = created.secret;
      stack.tokenIds[name] = created.id;
    }
    for (const board of ['farsta', 'jarva', 'kulturnamnden', 'stokab'] as const) {
      const grant = `board:${board}:forvaltningschef`;
      const created = await createApiToken(pool, {
        grants: [grant],
        scopes: ['read', 'submit'],
        label: `test ${grant}`,
        createdBy: 'test',
      });
      stack.tokens[`${board}Chef`] = created.secret;
      stack.tokenIds[`${board}Chef`] = created.id;
    }
    const serverNow = async () => localDateOf(new Date(await ctx.env.currentTimeMs()), 'Europe/Stockholm');
    stack.day0 = await serverNow();
    const d = (days: number) => addDays(stack.day0, days);
    stack.calendar = cycleCalendarSchema.parse({
      municipality: smallRegistry.municipality,
      budgetYear: STACK_YEAR,
      // Days count from whatever today is: a day 1 that is a Saturday must still open on day 1.
      openingOnNonBusinessDay: 'stay',
      ...(goals && { goals }),
      phases: phases?.(d) ?? [
        { id: 'tertialrapport', kind: 'deliverable', name: 'Tertialrapport 1', opens: { date: d(1) }, deadline: d(15) },
        {
          id: 'budgetunderlag',
          kind: 'deliverable',
          name: 'Budgetunderlag',
          opens: { date: d(1) },
          deadline: d(40),
          reviewRequired: true,
        },
        { id: 'kf-budget', kind: 'milestone', name: 'Kommunfullmäktige beslutar budget', owner: 'KF', date: d(30) },
        {
          id: 'verksamhetsplan',
          kind: 'deliverable',
          name: 'Verksamhetsplan',
          opens: { afterMilestone: 'kf-budget' },
          deadline: d(60),
        },
      ],
    });
    stack.ops = createCycleOperations({
      client: ctx.env.client,
      pool,
      taskQueue: ctx.harness.taskQueue,
      municipality: smallRegistry.municipality,
      today: () => stack.day0,
    });
    // The templates the calendar names, read as `cycle start` reads them, kept with the cycle.
    const lookups = [templatesDir ?? shippedTemplatesDir()].flat().map(templateLookup);
    const templates = templateIdsOf(stack.calendar).map((id) => {
      const loaded = lookups.map((lookup) => lookup(id)).find((l) => l.template) ?? lookups[0]!(id);
      if (!loaded.template) throw new Error(`test template ${id}: ${JSON.stringify(loaded.errors)}`);
      return loaded.template;
    });
    await startCycle(
      ctx.env.client,
      pool,
      ctx.harness.taskQueue,
      stack.calendar,
      smallRegistry,
      stack.day0,
      'test',
      templates,
    );
    if (phases) await stack.ops.local.startLups(STACK_YEAR);
    stack.advanceTo = async (days, time = '12:00') => {
      await sleepUntilStockholm(ctx.env, d(days), time);
    };
    await stack.advanceTo(1);
    const port = signIn ? await freePort() : 0;
    const base = `http://127.0.0.1:${port}`;
    if (signIn) {
      stack.provider = await startOpenIdProvider({
        people: loadDevPeople(shippedDevPeoplePath()),
        clients: [
          {
            client_id: 'arshjul',
            client_secret: SIGN_IN_SECRET,
            redirect_uris: [`${base}/logga-in/klar`],
            post_logout_redirect_uris: [`${base}/logga-in`],
            firstParty: true,
          },
        ],
      });
    }
    stack.app = await buildHttpServer({
      probes: {},
      // As an API process has it (METRICS_ENABLED defaults to true): GET /metrics is a route too.
      metrics: createMetrics(),
      app: {
        ops: stack.ops,
        pool,
        // Signed-in tests run over plain http: a public https URL would make the cookies Secure.
        publicUrl: signIn ? base : 'https://arshjul.test.example',
        ...appOptions,
        // The server's fallback for cycles that keep no templates: the first folder.
        ...(templatesDir && { templatesDir: [templatesDir].flat()[0] }),
        ...(stack.provider && {
          signIn: {
            provider: {
              issuer: stack.provider.issuer,
              clientId: 'arshjul',
              clientSecret: SIGN_IN_SECRET,
              redirectUrl: `${base}/logga-in/klar`,
              postLogoutRedirectUrl: `${base}/logga-in`,
              groupsClaim: 'groups',
            },
            groupRoles: loadGroupRoles(shippedGroupRolesPath()),
          },
        }),
      },
    });
    stack.url = await stack.app.listen({ host: '127.0.0.1', port });
  });
  afterAll(async () => {
    await stack.app?.close();
    await stack.provider?.stop();
  });
  return stack;
}
