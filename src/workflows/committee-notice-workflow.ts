import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SendOnceResult } from '../activities/send-once';
import { ACTIVITY_RETRY } from './workflow-support';

const { sendCommitteeCommentMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: ACTIVITY_RETRY,
});

/** The workflow ID of the mail about one committee comment: started once per comment. */
export function committeeCommentNoticeId(cycleWorkflowId: string, commentId: string): string {
  return `${cycleWorkflowId}/committee-comment/${commentId}`;
}

/**
 * Delivers the mail about one committee comment (issue 14), retried until the relay takes it:
 * the API stores the comment and its send-log row in one transaction and starts this workflow,
 * whose ID (one per comment) and the send log's key keep it to one mail.
 */
export async function committeeCommentNoticeWorkflow(input: { commentId: string }): Promise<SendOnceResult> {
  return sendCommitteeCommentMail({ commentId: input.commentId, firedAt: new Date().toISOString() });
}
