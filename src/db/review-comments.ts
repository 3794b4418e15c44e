import { Queryable } from './database';

/** One comment of SLK's on a handed-in report: on a question (answer path) or a whole section. */
export interface ReviewComment {
  id: string;
  workflowId: string;
  /** The sequence number of the `submitted` event of the version it was made on. */
  submissionSeq: number;
  /** `<section>.<question>`, `<section>[<item>].<question>`, or a section's ID. */
  path: string;
  comment: string;
  author: string;
  createdAt: Date;
}

interface Row {
  id: string;
  workflow_id: string;
  submission_seq: string;
  path: string;
  comment: string;
  author: string;
  created_at: Date;
}

const COLUMNS = 'id, workflow_id, submission_seq, path, comment, author, created_at';

const toComment = (r: Row): ReviewComment => ({
  id: r.id,
  workflowId: r.workflow_id,
  submissionSeq: Number(r.submission_seq),
  path: r.path,
  comment: r.comment,
  author: r.author,
  createdAt: r.created_at,
});

/** Stores one comment; the caller's transaction records it in the audit log as well. */
export async function insertReviewComment(
  db: Queryable,
  comment: Pick<ReviewComment, 'workflowId' | 'submissionSeq' | 'path' | 'comment' | 'author'>,
): Promise<ReviewComment> {
  const result = await db.query<Row>(
    `INSERT INTO review_comments (workflow_id, submission_seq, path, comment, author)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [comment.workflowId, comment.submissionSeq, comment.path, comment.comment, comment.author],
  );
  return toComment(result.rows[0]!);
}

/**
 * Every comment on one report, all versions, in the order they were stored (the id, not `created_at`: two comments made
 * at the same moment have their transactions' start times, which need not be their order).
 */
export async function listReviewComments(db: Queryable, workflowId: string): Promise<ReviewComment[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM review_comments WHERE workflow_id = $1 ORDER BY submission_seq, id`,
    [workflowId],
  );
  return result.rows.map(toComment);
}
