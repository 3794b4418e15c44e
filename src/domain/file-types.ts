import type { RefusalCode, RefusalParams } from './refusals';
/**
 * The kinds of file a board may attach to a report, told from the content, never from the name:
 * a renamed executable is not a PDF. Pure: looks at the bytes only.
 */

export const fileTypes = {
  pdf: { label: 'PDF', mime: 'application/pdf', extensions: ['.pdf'] },
  docx: {
    label: 'Word (docx)',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['.docx'],
  },
  xlsx: {
    label: 'Excel (xlsx)',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['.xlsx'],
  },
  doc: { label: 'Word (doc)', mime: 'application/msword', extensions: ['.doc'] },
  xls: { label: 'Excel (xls)', mime: 'application/vnd.ms-excel', extensions: ['.xls'] },
  odt: { label: 'OpenDocument-text', mime: 'application/vnd.oasis.opendocument.text', extensions: ['.odt'] },
  ods: {
    label: 'OpenDocument-kalkyl',
    mime: 'application/vnd.oasis.opendocument.spreadsheet',
    extensions: ['.ods'],
  },
} as const;
export type FileTypeId = keyof typeof fileTypes;
export const fileTypeIds = Object.keys(fileTypes) as FileTypeId[];

const startsWith = (bytes: Uint8Array, prefix: number[]): boolean => prefix.every((b, i) => bytes[i] === b);
const contains = (bytes: Uint8Array, text: string, encoding: 'latin1' | 'utf16le' = 'latin1'): boolean =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, encoding));

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/**
 * The file's type from its content: PDF by its header; the Office Open XML and OpenDocument
 * formats are zip archives told apart by their parts (`word/`, `xl/`) or their first entry
 * `mimetype`; the older Word and Excel files are OLE compound files told apart by their main
 * stream's name. Undefined for anything else.
 */
export function detectFileType(bytes: Uint8Array): FileTypeId | undefined {
  if (startsWith(bytes, [...Buffer.from('%PDF-')])) return 'pdf';
  if (startsWith(bytes, ZIP)) {
    // An OpenDocument file stores `mimetype` first, uncompressed: its content follows the name.
    const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
    if (head.slice(30, 38) === 'mimetype') {
      if (head.includes('application/vnd.oasis.opendocument.text')) return 'odt';
      if (head.includes('application/vnd.oasis.opendocument.spreadsheet')) return 'ods';
      return undefined;
    }
    if (!contains(bytes, '[Content_Types].xml')) return undefined;
    if (contains(bytes, 'word/document.xml')) return 'docx';
    if (contains(bytes, 'xl/workbook.xml')) return 'xlsx';
    return undefined;
  }
  if (startsWith(bytes, OLE)) {
    if (contains(bytes, 'WordDocument', 'utf16le')) return 'doc';
    if (contains(bytes, 'Workbook', 'utf16le') || contains(bytes, 'Book', 'utf16le')) return 'xls';
  }
  return undefined;
}

export interface UploadPolicy {
  maxBytes: number;
  allowed: FileTypeId[];
}

export const DEFAULT_UPLOAD_POLICY: UploadPolicy = { maxBytes: 25 * 1024 * 1024, allowed: fileTypeIds };

export type UploadCheck =
  | { ok: true; type: FileTypeId; mime: string }
  | { ok: false; field: 'file' | 'name'; code: RefusalCode; params?: RefusalParams; problem: string };

const megabytes = (bytes: number): string =>
  `${(bytes / (1024 * 1024)).toLocaleString('sv-SE', { maximumFractionDigits: 1 })} MB`;

/** Whether a file may be attached: a name, not empty, not too large, an allowed type that matches its name. */
export function checkUpload(name: string, bytes: Uint8Array, policy: UploadPolicy): UploadCheck {
  const refuse = (field: 'file' | 'name', code: RefusalCode, problem: string, params?: RefusalParams): UploadCheck => ({
    ok: false,
    field,
    code,
    problem,
    ...(params && { params }),
  });
  if (!name.trim() || name.length > 200 || /[\\/\r\n\0]/.test(name)) {
    return refuse('name', 'bad-name', 'must be a file name of at most 200 characters, without / or \\');
  }
  if (bytes.byteLength === 0) return refuse('file', 'empty', 'is empty');
  if (bytes.byteLength > policy.maxBytes) {
    return refuse(
      'file',
      'too-large',
      `is ${megabytes(bytes.byteLength)}: at most ${megabytes(policy.maxBytes)} is taken`,
      { size: megabytes(bytes.byteLength), max: megabytes(policy.maxBytes) },
    );
  }
  const allowedLabels = policy.allowed.map((t) => fileTypes[t].label).join(', ');
  const type = detectFileType(bytes);
  if (!type) {
    return refuse('file', 'type-unknown', `is not a file of a type that is taken (${allowedLabels})`, {
      allowed: allowedLabels,
    });
  }
  if (!policy.allowed.includes(type)) {
    return refuse('file', 'type-not-allowed', `is ${fileTypes[type].label}: only ${allowedLabels} are taken`, {
      type: fileTypes[type].label,
      allowed: allowedLabels,
    });
  }
  const extension = /\.[^.]+$/.exec(name.toLowerCase())?.[0];
  if (!extension || !(fileTypes[type].extensions as readonly string[]).includes(extension)) {
    return refuse(
      'name',
      'name-mismatch',
      `does not end in ${fileTypes[type].extensions.join(' or ')}, as a ${fileTypes[type].label} file should`,
      { extensions: fileTypes[type].extensions.join(' eller '), type: fileTypes[type].label },
    );
  }
  return { ok: true, type, mime: fileTypes[type].mime };
}
