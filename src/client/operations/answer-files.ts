import type { AttachmentMeta } from '../../db/attachments';
import type { SavedAnswer } from '../../db/report-drafts';
import type { FileReference } from '../../domain/report-template';
import type { Principal } from '../../domain/principal';
import type { AttachmentOperations } from './attachments';
import { OperationError } from './operation-error';
import { AnswerConflict, ReportDraftOperations } from './report-drafts';

/**
 * A file question's answer as the form page changes it: attach a file (store it, then save the
 * answer with it added) or remove one from the answer. Everything that can be checked before the
 * file is stored is checked first — who may write, the stage, the question's file types and
 * number of files, the version the page saw — so a refused file leaves nothing behind.
 */
export function createAnswerFileOperations(deps: { drafts: ReportDraftOperations; attachments: AttachmentOperations }) {
  const { drafts, attachments } = deps;

  /** The answer's files as saved, refused like a save when the page saw another version. */
  const current = (answer: { saved?: SavedAnswer; path: string }, expectedVersion: number): FileReference[] => {
    const version = answer.saved?.version ?? 0;
    if (version !== expectedVersion) {
      if (answer.saved) throw new AnswerConflict(answer.saved);
      throw new OperationError(409, answer.path, 'has not been saved yet', 'edited-by-someone-else');
    }
    return Array.isArray(answer.saved?.value) ? (answer.saved.value as FileReference[]) : [];
  };

  return {
    async attach(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: { path: string; fileName: string; bytes: Buffer; expectedVersion: number },
      by: string,
    ): Promise<{ attachment: AttachmentMeta; answer: SavedAnswer }> {
      const { question, saved } = await drafts.fileAnswer(principal, year, phaseId, boardId, input.path);
      const files = current({ path: input.path, ...(saved && { saved }) }, input.expectedVersion);
      if (files.length >= question.maxFiles) {
        throw new OperationError(
          400,
          input.path,
          `has ${files.length} files: at most ${question.maxFiles}`,
          'too-many-files',
        );
      }
      const attachment = await attachments.upload(
        principal,
        year,
        phaseId,
        boardId,
        input.fileName,
        input.bytes,
        by,
        question.accept,
      );
      const answer = await drafts.saveAnswer(
        principal,
        year,
        phaseId,
        boardId,
        {
          path: input.path,
          value: [...files, { attachment: attachment.id, name: attachment.fileName }],
          expectedVersion: input.expectedVersion,
        },
        by,
      );
      return { attachment, answer };
    },

    /** Takes a file out of the answer; the attachment itself stays in the report's record. */
    async remove(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: { path: string; attachment: string; expectedVersion: number },
      by: string,
    ): Promise<SavedAnswer> {
      const { saved } = await drafts.fileAnswer(principal, year, phaseId, boardId, input.path);
      const files = current({ path: input.path, ...(saved && { saved }) }, input.expectedVersion);
      if (!files.some((f) => f.attachment === input.attachment)) {
        throw new OperationError(400, input.path, `has no file ${input.attachment}`, 'unknown-file');
      }
      const rest = files.filter((f) => f.attachment !== input.attachment);
      return drafts.saveAnswer(
        principal,
        year,
        phaseId,
        boardId,
        { path: input.path, value: rest.length ? rest : null, expectedVersion: input.expectedVersion },
        by,
      );
    },
  };
}

export type AnswerFileOperations = ReturnType<typeof createAnswerFileOperations>;
