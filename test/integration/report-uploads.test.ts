import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { insertTemplateVersion, loadCycleTemplate } from '../../src/db/cycle-templates';
import { compareTemplates } from '../../src/domain/report-template-changes';
import { reportTemplateSchema } from '../../src/domain/report-template';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { reportStackOptions } from '../helpers/report-stack';

/**
 * Files attached from the report form (issue 12), over real HTTP on a real cycle: a plain
 * multipart post to the page (no JavaScript), the API's upload followed by a save of the answer
 * (what the page's script does), refusals of an oversized or mistyped file that store nothing,
 * removal, downloads only for the board itself, and the notice of a published template correction.
 */
const MAX_BYTES = 64 * 1024;
const stack = useHttpStack('report_uploads', {
  ...reportStackOptions(),
  uploads: { maxBytes: MAX_BYTES, allowed: ['pdf', 'docx', 'xlsx'] },
});
const y = STACK_YEAR;
const PAGE = `/namnd/farsta/${y}/rapport`;
const API = `/api/cycles/${y}/deliverables/rapport/farsta`;
const FILE_PATH = 'bilagor.underlag';
const WORKFLOW_ID = `teststad/${y}/rapport/farsta`;

const pdf = (text: string, padding = 0): Buffer =>
  Buffer.concat([Buffer.from(`%PDF-1.4\n% ${text}\n`), Buffer.alloc(padding, 0x20), Buffer.from('\n%%EOF\n')]);
/** A zip that is a Word document by its parts: an allowed type, but the question takes PDF only. */
const docx = (): Buffer =>
  Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('[Content_Types].xml word/document.xml')]);

/** A form post as a browser without JavaScript sends it, with the session cookie. */
async function postForm(
  fields: Record<string, string>,
  file?: { name: string; bytes: Buffer; type?: string },
  init: { who?: keyof StackTokens; origin?: string } = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (file) form.append('fil', new Blob([file.bytes], { type: file.type ?? 'application/pdf' }), file.name);
  const response = await fetch(`${stack.url}${PAGE}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: `arshjul_token=${stack.tokens[init.who ?? 'farsta']}`,
      origin: init.origin ?? stack.url,
    },
    body: form,
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

async function getPage(who: keyof StackTokens = 'farsta', at = PAGE) {
  const response = await fetch(`${stack.url}${at}`, { headers: { cookie: `arshjul_token=${stack.tokens[who]}` } });
  return { status: response.status, text: await response.text() };
}

async function api(method: string, path: string, body?: Buffer | object, who: keyof StackTokens = 'farsta') {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.tokens[who]}`,
      ...(Buffer.isBuffer(body)
        ? { 'content-type': 'application/octet-stream' }
        : body
          ? { 'content-type': 'application/json' }
          : {}),
    },
    ...(body && { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

async function stored() {
  const pool = stack.harness.db.pool;
  const attachments = await pool.query<{ id: string; file_name: string }>(
    'SELECT id, file_name FROM attachments WHERE workflow_id = $1 ORDER BY id',
    [WORKFLOW_ID],
  );
  const answer = await pool.query<{ value: unknown; version: number }>(
    'SELECT value, version FROM report_answers WHERE workflow_id = $1 AND path = $2',
    [WORKFLOW_ID, FILE_PATH],
  );
  return { attachments: attachments.rows, answer: answer.rows[0] };
}

/** The version of the file answer the page was drawn with (the hidden field of its upload form). */
function versionOnPage(text: string): string {
  const match = /name="version:bilagor\.underlag" value="(\d+)"/.exec(text);
  if (!match) throw new Error('no version field for the file question on the page');
  return match[1]!;
}

const upload = (version: string, file: { name: string; bytes: Buffer; type?: string }, who?: keyof StackTokens) =>
  postForm({ atgard: 'bifoga', fraga: FILE_PATH, [`version:${FILE_PATH}`]: version }, file, who && { who });

describe('attaching a file from the report form', () => {
  test('without JavaScript: a multipart post uploads, saves the answer and comes back to the page (PRG)', async () => {
    const before = await getPage();
    expect(before.status).toBe(200);
    expect(before.text).toContain('enctype="multipart/form-data"');
    const posted = await upload(versionOnPage(before.text), { name: 'Årsrapport.pdf', bytes: pdf('årsrapport') });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`${PAGE}?bifogat=${FILE_PATH}#svar-bilagor-underlag`);

    const now = await stored();
    expect(now.attachments.map((a) => a.file_name)).toEqual(['Årsrapport.pdf']);
    expect(now.answer).toEqual({ value: [{ attachment: now.attachments[0]!.id, name: 'Årsrapport.pdf' }], version: 1 });

    // Where the redirect leads: the page with a notice of the file attached.
    const after = await getPage('farsta', posted.location!);
    // The answer's file with its size, uploader and a remove button; the report's attachments with a link.
    expect(after.text).toContain('Årsrapport.pdf');
    expect(after.text).toContain('uppladdad av test board:farsta (test), ');
    expect(after.text).toMatch(/Ta bort<span class="visually-hidden"> Årsrapport\.pdf<\/span>/);
    expect(after.text).toContain(`href="${API}/attachments/${now.attachments[0]!.id}"`);
    expect(after.text).toContain('Underlag: Årsrapport.pdf är bifogad.');
    expect(versionOnPage(after.text)).toBe('1');
  });

  test('through the API: upload, then save the answer over the version seen', async () => {
    const bytes = pdf('bilaga två');
    const up = await api(
      'POST',
      `${API}/attachments?name=${encodeURIComponent('bilaga 2.pdf')}&path=${FILE_PATH}`,
      bytes,
    );
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ fileName: 'bilaga 2.pdf', fileType: 'pdf', sizeBytes: bytes.byteLength });
    const report = await api('GET', `${API}/report`);
    const current = report.body.answers.find((a: { path: string }) => a.path === FILE_PATH);
    const saved = await api('PUT', `${API}/report/answers`, {
      path: FILE_PATH,
      value: [...current.value, { attachment: up.body.id, name: 'bilaga 2.pdf' }],
      expectedVersion: current.version,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    const page = await getPage();
    expect(page.text).toContain('bilaga 2.pdf');
    // The download link works for the board with its session, not for another board.
    const download = await fetch(`${stack.url}${API}/attachments/${up.body.id}`, {
      headers: { cookie: `arshjul_token=${stack.tokens.farsta}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect((await api('GET', `${API}/attachments/${up.body.id}`, undefined, 'jarva')).status).toBe(404);
  });

  test('refuses an oversized file, a file whose content is no allowed type, and a type the question does not take: nothing stored', async () => {
    const before = await stored();
    const version = versionOnPage((await getPage()).text);

    const big = await upload(version, { name: 'stor.pdf', bytes: pdf('stor', MAX_BYTES + 1024) });
    expect(big.status).toBe(400);
    expect(big.text).toMatch(/id="svar-bilagor-underlag-fel"[^>]*>Filen är för stor/);
    expect(big.text).toMatch(
      /<div class="error-summary" role="alert" id="fel">[\s\S]*Bilagor: Underlag: Filen är för stor/,
    );
    expect(big.text).toMatch(/aria-describedby="[^"]*svar-bilagor-underlag-fel/);
    // The summary's link leads to the file input.
    expect(big.text).toMatch(/<a href="#svar-bilagor-underlag-fil"\s*>Bilagor: Underlag: Filen är för stor/);

    // Far over the limit, the body itself is refused before it is read: a page that says why.
    const huge = await upload(version, { name: 'enorm.pdf', bytes: pdf('enorm', 3 * MAX_BYTES) });
    expect(huge.status).toBe(413);
    expect(huge.text).toContain('Filen är för stor: högst');

    const fake = await upload(version, { name: 'rapport.pdf', bytes: Buffer.from('MZ\x90\x00 not a pdf at all') });
    expect(fake.status).toBe(400);
    expect(fake.text).toContain('Filen är inte av en typ som tas emot');

    const word = await upload(version, { name: 'rapport.docx', bytes: docx() });
    expect(word.status).toBe(400);
    expect(word.text).toContain('Frågan tar bara emot pdf.');

    const none = await postForm({ atgard: 'bifoga', fraga: FILE_PATH, [`version:${FILE_PATH}`]: version });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Välj en fil att bifoga.');

    // The API's upload names the question too, so the script's upload is refused before anything is stored.
    const viaApi = await api('POST', `${API}/attachments?name=rapport.docx&path=${FILE_PATH}`, docx());
    expect(viaApi.status).toBe(400);
    expect(viaApi.body).toMatchObject({ field: 'file', code: 'bad-file-type' });
    const mistyped = await api('POST', `${API}/attachments?name=rapport.pdf`, Buffer.from('MZ not a pdf'));
    expect(mistyped.body).toMatchObject({ field: 'file', code: 'type-unknown' });

    expect(await stored()).toEqual(before);
  });

  test('refuses a post from another site and one for another board', async () => {
    const before = await stored();
    const version = versionOnPage((await getPage()).text);
    const fields = { atgard: 'bifoga', fraga: FILE_PATH, [`version:${FILE_PATH}`]: version };
    const file = { name: 'x.pdf', bytes: pdf('x') };
    expect((await postForm(fields, file, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await postForm(fields, file, { who: 'jarva' })).status).toBe(404);
    expect(await stored()).toEqual(before);
  });

  test('removes a file from the answer; the report keeps the attachment in its record', async () => {
    const { attachments, answer } = await stored();
    const first = attachments[0]!.id;
    const removed = await postForm({
      atgard: 'ta-bort-fil',
      fraga: FILE_PATH,
      bilaga: first,
      [`version:${FILE_PATH}`]: String(answer!.version),
    });
    expect(removed.status).toBe(303);
    const now = await stored();
    expect(now.answer!.value).toEqual([{ attachment: attachments[1]!.id, name: 'bilaga 2.pdf' }]);
    expect(now.attachments).toHaveLength(2);
    // A removal over an outdated version is refused and shown; nothing changes.
    const stale = await postForm({
      atgard: 'ta-bort-fil',
      fraga: FILE_PATH,
      bilaga: attachments[1]!.id,
      [`version:${FILE_PATH}`]: String(answer!.version),
    });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Någon annan har sparat svaret');
    expect((await stored()).answer).toEqual(now.answer);
  });
});

describe('a published template correction on the form page', () => {
  test('shows what carried over and what was removed with the old values, until the board dismisses it', async () => {
    const saved = await api('PUT', `${API}/report/answers`, {
      path: 'ovrigt.uppfoljt',
      value: true,
      expectedVersion: 0,
    });
    expect(saved.status).toBe(200);
    const pool = stack.harness.db.pool;
    const current = await loadCycleTemplate(pool, 'teststad', y, 'testrapport');
    const v2 = structuredClone(current!.template);
    v2.version = 2;
    const ovrigt = v2.sections.find((s) => s.id === 'ovrigt')!;
    ovrigt.questions = ovrigt.questions.filter((q) => q.id !== 'uppfoljt');
    await publishTemplateVersion(
      pool,
      { municipality: 'teststad', budgetYear: y, template: reportTemplateSchema.parse(v2), reason: 'Frågan utgår' },
      'cli:slk',
    );

    const page = await getPage();
    expect(page.text).toContain('Mallen har rättats (version 2): 1 svar fördes över, 1 svar togs bort');
    expect(page.text).toMatch(/Har nämnden följt upp internkontrollen\?[\s\S]*Ja/);
    // Another board without answers gets no notice.
    expect(
      (
        await fetch(`${stack.url}/namnd/jarva/${y}/rapport`, {
          headers: { cookie: `arshjul_token=${stack.tokens.jarva}` },
        }).then((r) => r.text())
      ).includes('Mallen har rättats (version'),
    ).toBe(false);

    const dismissed = await postForm({ atgard: 'dolj-rattelse', mallversion: '2' });
    expect(dismissed.status).toBe(303);
    expect((await getPage()).text).not.toContain('Mallen har rättats (version');
  });

  test('a save checked against the version before a correction that commits meanwhile is refused, not stored', async () => {
    const pool = stack.harness.db.pool;
    const current = await loadCycleTemplate(pool, 'teststad', y, 'testrapport');
    const publisher = await pool.connect();
    try {
      // A publication in progress: the cycle's row locked, the new version written, not committed.
      await publisher.query('BEGIN');
      await publisher.query('SELECT 1 FROM cycles WHERE municipality = $1 AND budget_year = $2 FOR UPDATE', [
        'teststad',
        y,
      ]);
      await insertTemplateVersion(publisher, {
        municipality: 'teststad',
        budgetYear: y,
        template: { ...current!.template, version: 3 },
        publishedBy: 'test',
        supersedesVersion: 2,
        reason: 'samtidig',
        changes: compareTemplates(current!.template, { ...current!.template, version: 3 }),
      });
      const save = api('PUT', `${API}/report/answers`, {
        path: 'ekonomi.sammanfattning',
        value: 'Skrivet mot version 2.',
        expectedVersion: 0,
      });
      // The save has checked its answer against version 2 and waits for the cycle's row.
      for (let i = 0; i < 200; i++) {
        const waiting = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM cycles%FOR SHARE'`,
        );
        if (waiting.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await publisher.query('COMMIT');
      const refused = await save;
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ field: 'template', code: 'template-corrected' });
    } finally {
      publisher.release();
    }
    const stored = await pool.query(`SELECT 1 FROM report_answers WHERE workflow_id = $1 AND path = $2`, [
      WORKFLOW_ID,
      'ekonomi.sammanfattning',
    ]);
    expect(stored.rowCount).toBe(0);
  });
});
