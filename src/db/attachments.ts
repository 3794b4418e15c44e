import type { Pool } from 'pg';
import { withTransaction } from './database';

export interface AttachmentMeta {
  id: string;
  workflowId: string;
  fileName: string;
  fileType: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
}

export type NewAttachment = Omit<AttachmentMeta, 'id' | 'uploadedAt'>;

/**
 * Where attachments' bytes live. PostgreSQL by default; an object store can take its place
 * behind the same three operations.
 */
export interface AttachmentStore {
  put(meta: NewAttachment, bytes: Buffer): Promise<AttachmentMeta>;
  list(workflowId: string): Promise<AttachmentMeta[]>;
  get(workflowId: string, id: string): Promise<{ meta: AttachmentMeta; bytes: Buffer } | undefined>;
}

export interface AttachmentRow {
  id: string;
  workflow_id: string;
  file_name: string;
  file_type: string;
  content_type: string;
  size_bytes: string;
  sha256: string;
  uploaded_by: string;
  uploaded_at: Date;
}

export const ATTACHMENT_COLUMNS =
  'id, workflow_id, file_name, file_type, content_type, size_bytes, sha256, uploaded_by, uploaded_at';

export const toMeta = (r: AttachmentRow): AttachmentMeta => ({
  id: r.id,
  workflowId: r.workflow_id,
  fileName: r.file_name,
  fileType: r.file_type,
  contentType: r.content_type,
  sizeBytes: Number(r.size_bytes),
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  uploadedAt: r.uploaded_at,
});

export function createPostgresAttachmentStore(pool: Pool): AttachmentStore {
  return {
    put: (meta, bytes) =>
      // The row and its bytes together, or neither.
      withTransaction(pool, async (tx) => {
        const inserted = await tx.query<AttachmentRow>(
          `INSERT INTO attachments (workflow_id, file_name, file_type, content_type, size_bytes, sha256, uploaded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ATTACHMENT_COLUMNS}`,
          [
            meta.workflowId,
            meta.fileName,
            meta.fileType,
            meta.contentType,
            meta.sizeBytes,
            meta.sha256,
            meta.uploadedBy,
          ],
        );
        const row = inserted.rows[0]!;
        await tx.query('INSERT INTO attachment_bytes (attachment_id, bytes) VALUES ($1, $2)', [row.id, bytes]);
        return toMeta(row);
      }),
    async list(workflowId) {
      const result = await pool.query<AttachmentRow>(
        `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE workflow_id = $1 ORDER BY uploaded_at, id`,
        [workflowId],
      );
      return result.rows.map(toMeta);
    },
    async get(workflowId, id) {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      const result = await pool.query<AttachmentRow & { bytes: Buffer }>(
        `SELECT ${ATTACHMENT_COLUMNS.split(', ')
          .map((c) => `a.${c}`)
          .join(', ')}, b.bytes
           FROM attachments a JOIN attachment_bytes b ON b.attachment_id = a.id
          WHERE a.workflow_id = $1 AND a.id = $2`,
        [workflowId, id],
      );
      const row = result.rows[0];
      return row && { meta: toMeta(row), bytes: row.bytes };
    },
  };
}
