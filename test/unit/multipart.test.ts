import { MultipartError, parseMultipart } from '../../src/client/http/multipart';

/** The multipart reader of the form page's upload, on bodies as browsers write them. */
const boundary = '----WebKitFormBoundaryAbC123';
const body = (...parts: Array<string | Buffer>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));

describe('parseMultipart', () => {
  it('reads text fields (repeated ones as a list) and a file with its UTF-8 name and bytes', () => {
    const bytes = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const parsed = parseMultipart(
      body(
        `--${boundary}\r\nContent-Disposition: form-data; name="atgard"\r\n\r\nbifoga\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="val"\r\n\r\na\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="val"\r\n\r\nb\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="fil"; filename="Års %22rapport%22.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        bytes,
        `\r\n--${boundary}--\r\n`,
      ),
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(parsed.fields).toEqual({ atgard: 'bifoga', val: ['a', 'b'] });
    expect(parsed.file('fil')).toEqual({
      field: 'fil',
      fileName: 'Års "rapport".pdf',
      contentType: 'application/pdf',
      bytes,
    });
  });

  it('treats an empty file input as no file, and keeps only the name of a path', () => {
    const parsed = parseMultipart(
      body(
        `--${boundary}\r\nContent-Disposition: form-data; name="fil"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="gammal"; filename="C:\\\\Users\\\\a\\\\b.pdf"\r\n\r\nx\r\n`,
        `--${boundary}--\r\n`,
      ),
      `multipart/form-data; boundary="${boundary}"`,
    );
    expect(parsed.file('fil')).toBeUndefined();
    expect(parsed.file('gammal')?.fileName).toBe('b.pdf');
  });

  it('refuses a body without its boundary or cut off inside a part', () => {
    expect(() => parseMultipart(Buffer.from('x'), 'multipart/form-data')).toThrow(MultipartError);
    expect(() =>
      parseMultipart(
        body(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end`),
        `multipart/form-data; boundary=${boundary}`,
      ),
    ).toThrow('multipart body ends inside a part');
  });
});
