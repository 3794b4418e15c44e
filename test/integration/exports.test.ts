import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { DEFAULT_UPLOAD_POLICY } from '../../src/domain/file-types';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { TEST_TEMPLATES_DIR } from '../helpers/report-stack';

/**
 * Exports people read rather than the screen: a phase as XLSX and CSV, one board's report as PDF.
 * Each file is read back with a reader that shares no code with its writer: the workbook's XML
 * with Python's zipfile (and exceljs for its structure), the PDF with Debian's pdftotext.
 */
const UPLOAD_LIMIT = 64 * 1024;
const stack = useHttpStack('exports', {
  uploads: { ...DEFAULT_UPLOAD_POLICY, maxBytes: UPLOAD_LIMIT },
  templatesDir: TEST_TEMPLATES_DIR,
  phases: (d) => [
    {
      id: 'uppfoljning',
      kind: 'deliverable',
      name: 'Uppföljning T1',
      opens: { date: d(1) },
      deadline: d(20),
      template: 'testrapport',
      openingOnNonBusinessDay: 'stay',
    },
    // The same report asked of one board only: an export's statements must not grow with its boards.
    {
      id: 'en-namnd',
      kind: 'deliverable',
      name: 'Uppföljning för en nämnd',
      opens: { date: d(1) },
      deadline: d(20),
      template: 'testrapport',
      audience: { boards: ['farsta'] },
      openingOnNonBusinessDay: 'stay',
    },
  ],
});
const y = STACK_YEAR;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arshjul-exports-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function get(who: keyof StackTokens, path: string) {
  const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stack.tokens[who]}` } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
}
async function submit(board: 'farsta' | 'jarva', comment: string) {
  const response = await fetch(`${stack.url}/api/cycles/${y}/deliverables/uppfoljning/${board}/submit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.tokens[board]}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      documentRef: `Dnr ${board}-1`,
      content: {
        ekonomi: { sammanfattning: comment, prognos: 120, utfall: [{ omrade: 'Förskola', belopp: 1200 }] },
        // Järva serves the priority area Rinkeby-Kista: its section is asked of it.
        ...(board === 'jarva' && { omraden: { 'rinkeby-kista': { insats: 'Feriejobb' } } }),
      },
    }),
  });
  expect(response.status).toBe(200);
}

/** A sheet of an XLSX as Python's zipfile and the XML in it see it: every text of every cell. */
function xlsxTexts(file: string): { sheets: string[]; strings: string[] } {
  const script = `
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
book = z.read('xl/workbook.xml').decode('utf-8')
names = re.findall(r'<sheet [^>]*name="([^"]*)"', book)
strings = []
for name in z.namelist():
    if name.startswith('xl/worksheets/') or name == 'xl/sharedStrings.xml':
        strings += re.findall(r'<t[^>]*>([^<]*)</t>', z.read(name).decode('utf-8'))
print(json.dumps({'sheets': names, 'strings': strings}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as {
    sheets: string[];
    strings: string[];
  };
}

const attachments = (board: string) => `/api/cycles/${y}/deliverables/uppfoljning/${board}/attachments`;
async function upload(who: keyof StackTokens, board: string, name: string, bytes: Buffer) {
  const response = await fetch(`${stack.url}${attachments(board)}?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.tokens[who]}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const listed = async (board: string) =>
  JSON.parse((await get('admin', attachments(board))).body.toString()) as Array<Record<string, unknown>>;
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n% Bilaga till uppföljningen\n'),
  Buffer.alloc(2000, 0x20),
  Buffer.from('\n%%EOF\n'),
]);

describe('attachments', () => {
  it('stores a PDF with its hash, type and uploader, lists it and gives back the same bytes', async () => {
    const stored = await upload('farsta', 'farsta', 'Bilaga åtgärder.pdf', PDF);
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({
      fileName: 'Bilaga åtgärder.pdf',
      fileType: 'pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      sha256: createHash('sha256').update(PDF).digest('hex'),
      uploadedBy: `token:${stack.tokenIds.farsta}`,
    });
    expect((await listed('farsta')).map((a) => a.fileName)).toEqual(['Bilaga åtgärder.pdf']);
    const back = await get('farsta', `${attachments('farsta')}/${String(stored.body.id)}`);
    expect(back.status).toBe(200);
    expect(back.type).toBe('application/pdf');
    expect(back.body.equals(PDF)).toBe(true);
  });

  it('refuses an oversized, a mistyped or a misnamed file, naming the field, and stores nothing', async () => {
    const before = (await listed('farsta')).length;
    const oversized = await upload('farsta', 'farsta', 'stor.pdf', Buffer.concat([PDF, Buffer.alloc(UPLOAD_LIMIT)]));
    expect(oversized).toMatchObject({
      status: 400,
      body: { field: 'file', message: expect.stringMatching(/at most 0,1 MB/) },
    });
    const program = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(500, 1)]);
    expect(await upload('farsta', 'farsta', 'rapport.pdf', program)).toMatchObject({
      status: 400,
      body: { field: 'file' },
    });
    expect(await upload('farsta', 'farsta', 'rapport.docx', PDF)).toMatchObject({
      status: 400,
      body: { field: 'name' },
    });
    expect(await upload('farsta', 'farsta', 'tom.pdf', Buffer.alloc(0))).toMatchObject({
      status: 400,
      body: { field: 'file' },
    });
    // Another board's report does not exist for a board; the committee reads but does not write.
    expect((await upload('jarva', 'farsta', 'x.pdf', PDF)).status).toBe(404);
    expect((await upload('committee', 'farsta', 'x.pdf', PDF)).status).toBe(403);
    expect((await listed('farsta')).length).toBe(before);
    const audit = await stack.harness.db.pool.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE kind = 'attachment-added'`,
    );
    expect(audit.rows[0].n).toBe(before);
  });
});

describe('exports', () => {
  beforeAll(async () => {
    await submit('farsta', 'Trygghetsvandringar i Farsta; "fler än väntat" — åäö ÅÄÖ');
    await submit('jarva', 'Sommarjobb för unga i Järva');
  });

  it('gives SLK the phase as a workbook: a row per board, a sheet for the table question', async () => {
    const xlsx = await get('admin', `/api/cycles/${y}/phases/uppfoljning/export.xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const file = join(dir, 'fas.xlsx');
    writeFileSync(file, xlsx.body);
    const { sheets, strings } = xlsxTexts(file);
    // A sheet per table question and per generated section, named as the board read them.
    expect(sheets).toEqual(['Svar', 'Utfall per verksamhetsområde', 'Prioriterade områden']);
    for (const text of [
      'Nämnd',
      'Farsta stadsdelsnämnd',
      'Järva stadsdelsnämnd',
      'inlämnad',
      'Sommarjobb för unga i Järva',
    ])
      expect(strings).toContain(text);
    expect(strings.join('\n')).toContain('&quot;fler än väntat&quot; — åäö ÅÄÖ');

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const answers = book.getWorksheet('Svar')!;
    const boards = answers.getColumn(1).values.slice(2);
    expect(boards).toEqual(expect.arrayContaining(['Farsta stadsdelsnämnd', 'Järva stadsdelsnämnd']));
    expect(answers.getRow(1).values).toEqual(
      expect.arrayContaining([
        'Ekonomi: Sammanfattning',
        'Ekonomi: Prognos (tkr)',
        'Övrigt: Hur har medarbetarna fått veta?',
      ]),
    );
    const table = book.getWorksheet('Utfall per verksamhetsområde')!;
    expect(table.getRow(1).values).toEqual([undefined, 'Nämnd', 'Verksamhetsområde', 'Belopp (tkr)']);
    expect(table.getRow(2).values).toEqual([undefined, 'Farsta stadsdelsnämnd', 'Förskola', 1200]);
    expect(table.rowCount).toBe(3);
    const areas = book.getWorksheet('Prioriterade områden')!;
    expect(areas.getRow(1).values).toEqual([undefined, 'Nämnd', 'Avser', 'Nämndens insatser i området']);
    expect(areas.getRow(2).values).toEqual([undefined, 'Järva stadsdelsnämnd', 'Rinkeby-Kista', 'Feriejobb']);
  });

  it('reads a phase of many boards in as many statements as a phase of one', async () => {
    /** The SQL statements the server sends for one export (the pool counted, as the page bench does). */
    const statementsOf = async (phase: string): Promise<string[]> => {
      const pool = stack.harness.db.pool;
      const statements: string[] = [];
      const query = pool.query.bind(pool);
      pool.query = ((...args: Parameters<typeof pool.query>) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        statements.push(text.replace(/\s+/g, ' ').trim().slice(0, 60));
        return query(...args);
      }) as typeof pool.query;
      try {
        expect((await get('admin', `/api/cycles/${y}/phases/${phase}/export.csv`)).status).toBe(200);
      } finally {
        pool.query = query as typeof pool.query;
      }
      return statements;
    };
    const rows = async (phase: string) =>
      (await get('admin', `/api/cycles/${y}/phases/${phase}/export.csv`)).body.toString('utf8').trim().split('\r\n')
        .length - 1;
    // Both once first: the read cache fills on a first request and only checks afterwards.
    expect(await rows('en-namnd')).toBe(1);
    expect(await rows('uppfoljning')).toBeGreaterThan(3);
    const one = await statementsOf('en-namnd');
    const many = await statementsOf('uppfoljning');
    expect(many).toEqual(one);
  });

  it('gives the committee the phase as CSV a Swedish spreadsheet opens', async () => {
    const csv = await get('committee', `/api/cycles/${y}/phases/uppfoljning/export.csv`);
    expect(csv.status).toBe(200);
    const text = csv.body.toString('utf8');
    expect(text.startsWith('\uFEFFNämnd;Status;Försenad;Sista dag;Inlämnad;Inlämnad av;Diarienummer')).toBe(true);
    expect(text).toMatch(/\r\nFarsta stadsdelsnämnd;inlämnad;nej;/);
  });

  it('prints one board’s report as an A4 PDF that pdftotext reads back', async () => {
    const pdf = await get('farsta', `/api/cycles/${y}/deliverables/uppfoljning/farsta/report.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const file = join(dir, 'rapport.pdf');
    writeFileSync(file, pdf.body);
    // Lines wrap where the page ends them: compare with the whitespace made single.
    const text = execFileSync(process.env.ARSHJUL_PDFTOTEXT ?? 'pdftotext', ['-layout', file, '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, ' ');
    for (const expected of [
      'Uppföljning T1',
      'Farsta stadsdelsnämnd',
      'Status: inlämnad',
      'Diarienummer: Dnr farsta-1',
      'åäö ÅÄÖ',
      'Bilagor Bilaga åtgärder.pdf (2 kB)',
      // The answers in the template's order, under its labels.
      'Ekonomi Sammanfattning',
      'Utfall per verksamhetsområde 1. Verksamhetsområde: Förskola · Belopp (tkr): 1200',
    ])
      expect(text).toContain(expected);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
  });

  it('keeps other boards’ reports and whole phases from a board, and names a bad parameter', async () => {
    expect((await get('farsta', `/api/cycles/${y}/deliverables/uppfoljning/jarva/report.pdf`)).status).toBe(404);
    expect((await get('farsta', `/api/cycles/${y}/phases/uppfoljning/export.xlsx`)).status).toBe(403);
    expect((await get('admin', `/api/cycles/${y}/phases/ingen-sadan/export.csv`)).status).toBe(404);
    const bad = await get('admin', `/api/cycles/${y}/phases/Fel_Fas/export.csv`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ error: 'bad-request', field: 'phaseId' });
    const anonymous = await fetch(`${stack.url}/api/cycles/${y}/phases/uppfoljning/export.csv`);
    expect(anonymous.status).toBe(401);
  });
});
