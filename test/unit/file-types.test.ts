import { checkUpload, DEFAULT_UPLOAD_POLICY, detectFileType } from '../../src/domain/file-types';

const zipWith = (...names: string[]): Buffer =>
  Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), ...names.map((n) => Buffer.from(n))]);
const odf = (mime: string): Buffer =>
  Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from(`mimetype${mime}`)]);
const ole = (stream: string): Buffer =>
  Buffer.concat([
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    Buffer.alloc(100),
    Buffer.from(stream, 'utf16le'),
  ]);

describe('file types told from the content', () => {
  it('knows PDF, the Office Open XML, OpenDocument and older Office formats', () => {
    expect(detectFileType(Buffer.from('%PDF-1.7\n'))).toBe('pdf');
    expect(detectFileType(zipWith('[Content_Types].xml', 'word/document.xml'))).toBe('docx');
    expect(detectFileType(zipWith('[Content_Types].xml', 'xl/workbook.xml'))).toBe('xlsx');
    expect(detectFileType(odf('application/vnd.oasis.opendocument.text'))).toBe('odt');
    expect(detectFileType(odf('application/vnd.oasis.opendocument.spreadsheet'))).toBe('ods');
    expect(detectFileType(ole('WordDocument'))).toBe('doc');
    expect(detectFileType(ole('Workbook'))).toBe('xls');
  });

  it('knows nothing else: a program, a plain zip, an image', () => {
    expect(detectFileType(Buffer.from('MZ\x90\x00'))).toBeUndefined();
    expect(detectFileType(zipWith('readme.txt'))).toBeUndefined();
    expect(detectFileType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
  });
});

describe('checkUpload', () => {
  const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
  it('takes an allowed file whose name matches its content', () => {
    expect(checkUpload('Årsrapport.PDF', pdf, DEFAULT_UPLOAD_POLICY)).toEqual({
      ok: true,
      type: 'pdf',
      mime: 'application/pdf',
    });
  });

  it('names the field and the problem with a stable code', () => {
    const policy = { maxBytes: 10, allowed: ['pdf' as const] };
    const code = (name: string, bytes: Buffer) => {
      const check = checkUpload(name, bytes, policy);
      return check.ok ? 'ok' : `${check.field}:${check.code}`;
    };
    expect(code('a.pdf', Buffer.alloc(0))).toBe('file:empty');
    expect(code('a.pdf', Buffer.concat([pdf, pdf]))).toBe('file:too-large');
    expect(code('a.pdf', Buffer.from('MZ'))).toBe('file:type-unknown');
    expect(code('a.xlsx', zipWith('[Content_Types].xml', 'xl/workbook.xml').subarray(0, 10))).toBe('file:type-unknown');
    expect(code('a.docx', Buffer.from('%PDF-1'))).toBe('name:name-mismatch');
    expect(code('../a.pdf', Buffer.from('%PDF-1'))).toBe('name:bad-name');
    const xlsx = zipWith('[Content_Types].xml', 'xl/workbook.xml');
    expect(checkUpload('a.xlsx', xlsx, { maxBytes: 1000, allowed: ['pdf'] })).toMatchObject({
      ok: false,
      code: 'type-not-allowed',
      problem: 'is Excel (xlsx): only PDF are taken',
    });
  });
});
