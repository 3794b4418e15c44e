import type { FastifyInstance } from 'fastify';

/**
 * A `multipart/form-data` body as a browser sends it from a form with a file input, read from a
 * buffer (no dependency for the one form that posts a file: its size is bounded by the route's
 * body limit). Text fields come out as the urlencoded parser gives them, so `formValue` reads
 * both; files come out with their name and bytes.
 */

export interface PostedFile {
  field: string;
  /** The name the browser gave (the user's file name, without its folder). */
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

export class MultipartBody {
  constructor(
    readonly fields: Record<string, string | string[]>,
    readonly files: PostedFile[],
  ) {}

  /** The first file posted under `field` that has a name or content (an empty input posts neither). */
  file(field: string): PostedFile | undefined {
    return this.files.find((f) => f.field === field && (f.fileName !== '' || f.bytes.byteLength > 0));
  }
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/** A Content-Disposition parameter (`name`, `filename`), quoted or not; browsers escape `"` as %22. */
function parameter(disposition: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(disposition);
  if (!match) return undefined;
  const raw = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '');
  return raw.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartBody {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartError('multipart body without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string | string[]> = {};
  const files: PostedFile[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MultipartError('multipart body without its boundary');
  for (;;) {
    at += delimiter.length;
    // `--` after a delimiter ends the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    if (!body.subarray(at, at + 2).equals(CRLF)) throw new MultipartError('malformed multipart delimiter');
    at += 2;
    const headerEnd = body.indexOf(HEADER_END, at);
    if (headerEnd < 0) throw new MultipartError('multipart part without the end of its headers');
    const headers = body.subarray(at, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('multipart body ends inside a part');
    const content = body.subarray(headerEnd + 4, next);
    const header = (name: string) =>
      headers
        .find((h) => h.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim() ?? '';
    const disposition = header('content-disposition');
    const name = parameter(disposition, 'name');
    if (name === undefined) throw new MultipartError('multipart part without a name');
    const fileName = parameter(disposition, 'filename');
    if (fileName !== undefined) {
      files.push({
        field: name,
        // Old browsers sent the whole path; the name is what follows the last separator.
        fileName: fileName.split(/[\\/]/).pop() ?? '',
        contentType: header('content-type') || 'application/octet-stream',
        bytes: Buffer.from(content),
      });
    } else {
      const value = content.toString('utf8');
      const earlier = fields[name];
      fields[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    }
    at = next + 2;
  }
  return new MultipartBody(fields, files);
}

/**
 * Lets routes of `scope` read multipart forms (a route sets its own bodyLimit). A malformed body
 * is the sender's fault: 400.
 */
export function acceptMultipart(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type']));
    } catch (error) {
      if (!(error instanceof MultipartError)) throw error;
      done(Object.assign(error, { statusCode: 400 }), undefined);
    }
  });
}
