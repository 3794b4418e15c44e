import { authorize, targetOf } from './authorize';
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { AttachmentMeta, AttachmentStore } from '../../db/attachments';
import { appendAuditEvent } from '../../db/audit-log';
import { loadAwaitingSignOff } from '../../db/report-sign-offs';
import { checkUpload, fileTypes, UploadPolicy } from '../../domain/file-types';
import type { Principal } from '../../domain/principal';
import { CycleOperations } from './cycle-operations';
import { notFound, OperationError } from './operation-error';
import { visibleDeliverable } from './visible-deliverable';
import { awaitingSignOffRefusal } from './report-sign-off';

/**
 * Files attached to a board's report: checked (size, type from the content, a name that matches
 * it) before anything is stored, stored with their hash and uploader, recorded in the audit log.
 * A board attaches to its own reports only; another board's report answers as one that does not exist.
 */
export function createAttachmentOperations(deps: {
  ops: CycleOperations;
  pool: Pool;
  store: AttachmentStore;
  policy: UploadPolicy;
}) {
  const { ops, store, policy } = deps;

  const visible = (principal: Principal, year: number, phaseId: string, boardId: string) =>
    visibleDeliverable(ops, principal, year, phaseId, boardId);

  return {
    policy,

    async upload(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      fileName: string,
      bytes: Buffer,
      /** How the caller appears in the record (role and token). */
      by: string,
      /**
       * The file types the question it is for takes (its `accept`: extensions), checked before
       * anything is stored, so a file its answer would refuse is not kept either.
       */
      accept?: readonly string[],
    ): Promise<AttachmentMeta> {
      const summary = await visible(principal, year, phaseId, boardId);
      authorize(principal, 'draft', await targetOf(ops, summary.answeringBoardId), 'deliverable');
      // A report marked ready for its sign-off takes no more files until declined or withdrawn.
      const wait = await loadAwaitingSignOff(deps.pool, summary.workflowId);
      if (wait) throw awaitingSignOffRefusal(wait);
      const check = checkUpload(fileName, bytes, policy);
      if (!check.ok) throw new OperationError(400, check.field, check.problem, check.code, check.params);
      if (accept && !fileTypes[check.type].extensions.some((e) => accept.includes(e.slice(1)))) {
        throw new OperationError(
          400,
          'file',
          `is ${fileTypes[check.type].label}: the question takes ${accept.join(', ')}`,
          'bad-file-type',
        );
      }
      const meta = await store.put(
        {
          workflowId: summary.workflowId,
          fileName: fileName.trim(),
          fileType: check.type,
          contentType: check.mime,
          sizeBytes: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          uploadedBy: by,
        },
        bytes,
      );
      await appendAuditEvent(deps.pool, {
        occurredAt: meta.uploadedAt,
        workflowId: summary.workflowId,
        kind: 'attachment-added',
        actor: meta.uploadedBy,
        eventKey: `attachment#${meta.id}`,
        payload: {
          attachmentId: meta.id,
          fileName: meta.fileName,
          fileType: meta.fileType,
          sizeBytes: meta.sizeBytes,
          sha256: meta.sha256,
        },
      });
      return meta;
    },

    async list(principal: Principal, year: number, phaseId: string, boardId: string): Promise<AttachmentMeta[]> {
      const summary = await visible(principal, year, phaseId, boardId);
      return store.list(summary.workflowId);
    },

    async download(principal: Principal, year: number, phaseId: string, boardId: string, id: string) {
      const summary = await visible(principal, year, phaseId, boardId);
      const file = await store.get(summary.workflowId, id);
      if (!file) throw notFound('attachment');
      return file;
    },
  };
}

export type AttachmentOperations = ReturnType<typeof createAttachmentOperations>;
