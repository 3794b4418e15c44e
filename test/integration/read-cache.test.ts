import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { Pool } from 'pg';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { loadTemplateFile, shippedTemplatesDir } from '../../src/client/templates';
import { createApiToken } from '../../src/db/api-tokens';
import { storeStartingTemplates } from '../../src/db/cycle-templates';
import { recordCycle } from '../../src/db/cycles';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { CycleCalendar, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { ReportTemplate } from '../../src/domain/report-template';
import { smallRegistry } from '../fixtures/small-registry';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 12: the HTTP process keeps the registry, the cycles' calendars and the templates the
 * cycles keep in memory (src/client/operations/read-cache.ts). It must never show a stale copy:
 * a write through the operations, or one made directly in PostgreSQL by another process, is
 * seen by the next request. Temporal is unreachable here: none of this may need it.
 */
const YEAR = 2091;
let db: TestDatabase;
/** Another process's connection: writes the server's pool knows nothing about. */
let other: Pool;
let connection: Connection;
let app: FastifyInstance;
let url: string;
let committee: string;
let ops: ReturnType<typeof createCycleOperations>;

const calendarFor = (budgetYear: number, template?: string): CycleCalendar =>
  cycleCalendarSchema.parse({
    municipality: smallRegistry.municipality,
    budgetYear,
    phases: [
      {
        id: 'tertialrapport',
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        opens: { date: `${budgetYear - 1}-12-01` },
        deadline: `${budgetYear - 1}-12-20`,
        ...(template && { template }),
      },
    ],
  });

function shippedTemplate(id: string): ReportTemplate {
  const loaded = loadTemplateFile(`${shippedTemplatesDir()}/${id}.yaml`);
  if (!loaded.template) throw new Error(`template ${id}: ${JSON.stringify(loaded.errors)}`);
  return loaded.template;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function overview(year = YEAR) {
  const response = await fetch(`${url}/oversikt/${year}`, { headers: { cookie: `arshjul_token=${committee}` } });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  db = await createTestDatabase('read_cache');
  other = new Pool({ connectionString: db.url, max: 1 });
  await withTransaction(db.pool, (tx) => replaceRegistry(tx, smallRegistry));
  const template = shippedTemplate('tertialrapport-1');
  await withTransaction(db.pool, async (tx) => {
    await recordCycle(tx, {
      workflowId: `teststad/${YEAR}`,
      calendar: calendarFor(YEAR, template.id),
      startedBy: 'test',
    });
    await storeStartingTemplates(tx, { municipality: 'teststad', budgetYear: YEAR, startedBy: 'test' }, [template]);
  });
  committee = (await createApiToken(db.pool, { role: 'committee', label: 'test', createdBy: 'test' })).secret;
  connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
  ops = createCycleOperations({
    client: new Client({ connection }),
    pool: db.pool,
    taskQueue: 'unused',
    municipality: smallRegistry.municipality,
    today: () => `${YEAR - 1}-11-15`,
  });
  app = await buildHttpServer({ probes: {}, app: { ops, pool: db.pool } });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await connection?.close().catch(() => undefined);
  await other?.end();
  await db?.drop();
});

describe("the HTTP process's copy of the registry, the cycles and the templates", () => {
  it('shows a board renamed directly in PostgreSQL by another process on the next request', async () => {
    // The overview lists the audience of a phase not opened yet: its boards' names, from the registry.
    const before = await overview();
    expect(before.status).toBe(200);
    expect(before.text).toContain('Farsta stadsdelsnämnd');

    await other.query(`UPDATE organisations SET name = 'Farsta nämnd (nytt namn)' WHERE id = 'farsta'`);
    const after = await overview();
    expect(after.text).toContain('Farsta nämnd (nytt namn)');
    expect(after.text).not.toContain('Farsta stadsdelsnämnd');

    // And again at once: no time to live, every request checks.
    await other.query(`UPDATE organisations SET name = 'Farsta igen' WHERE id = 'farsta'`);
    expect((await overview()).text).toContain('Farsta igen');
  });

  it('shows a registry replaced as `arshjul org import` does, through the same pool, on the next request', async () => {
    await withTransaction(db.pool, (tx) => replaceRegistry(tx, smallRegistry));
    const page = await overview();
    expect(page.text).toContain('Farsta stadsdelsnämnd');
    expect(page.text).not.toContain('Farsta igen');
  });

  it('answers for a cycle recorded after the first request, where it was a 404', async () => {
    expect((await overview(YEAR + 1)).status).toBe(404);
    // What startCycle records first (the workflow itself is not needed for the overview).
    await recordCycle(other, {
      workflowId: `teststad/${YEAR + 1}`,
      calendar: calendarFor(YEAR + 1),
      startedBy: 'test',
    });
    const page = await overview(YEAR + 1);
    expect(page.status).toBe(200);
    // The year navigation of the first cycle's overview names the new one too.
    expect((await overview()).text).toContain(`/oversikt/${YEAR + 1}`);
  });

  it('gives the template version SLK published, through the operations, to the next reader', async () => {
    const first = await ops.cycleTemplate(await ops.snapshot(), YEAR, 'tertialrapport-1');
    const current = shippedTemplate('tertialrapport-1');
    expect(first?.version).toBe(current.version);
    await publishTemplateVersion(
      db.pool,
      {
        municipality: 'teststad',
        budgetYear: YEAR,
        template: { ...current, version: current.version + 1, title: `${current.title} (rättad)` },
        reason: 'Rättad rubrik.',
      },
      'test',
    );
    const next = await ops.cycleTemplate(await ops.snapshot(), YEAR, 'tertialrapport-1');
    expect(next?.version).toBe(current.version + 1);
    expect(next?.template.title).toContain('(rättad)');
    // Deleted directly by another process: the cycle keeps the shipped version again, and the copy follows.
    await other.query(`DELETE FROM cycle_templates WHERE budget_year = $1 AND version = $2`, [
      YEAR,
      current.version + 1,
    ]);
    expect((await ops.cycleTemplate(await ops.snapshot(), YEAR, 'tertialrapport-1'))?.version).toBe(current.version);
  });

  it('reads again after the versions went back (a database restored from a backup)', async () => {
    await ops.snapshot();
    // The restore: older data under lower versions, written with the triggers off.
    await other.query(`ALTER TABLE organisations DISABLE TRIGGER organisations_read_version`);
    await other.query(`UPDATE organisations SET name = 'Farsta återställd' WHERE id = 'farsta'`);
    await other.query(`ALTER TABLE organisations ENABLE TRIGGER organisations_read_version`);
    await other.query(`UPDATE read_versions SET version = 1 WHERE subject = 'registry'`);
    expect((await ops.snapshot()).boardNames.get('farsta')).toBe('Farsta återställd');
  });

  it('shares one check between requests that ask at once, and never one sent before they asked', async () => {
    const asked = await Promise.all(Array.from({ length: 20 }, () => ops.snapshot()));
    expect(asked.every((s) => s.registry?.municipality === 'teststad')).toBe(true);
    // A write committed, then a snapshot asked: it must see it, although a check may be under way.
    const pending = ops.snapshot();
    await other.query(`UPDATE organisations SET name = 'Järva efter' WHERE id = 'jarva'`);
    const after = await ops.snapshot();
    expect(after.boardNames.get('jarva')).toBe('Järva efter');
    await pending;
  });
});
