import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SendOnceResult } from '../activities/send-once';
import { ACTIVITY_RETRY } from './workflow-support';

const { sendCommitteeCommentMail, sendAreaFlagMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: ACTIVITY_RETRY,
});

/** What a committee act's mail is about: a comment, or a flag or unflag of a priority area. */
export interface CommitteeNoticeInput {
  kind: 'comment' | 'area-flag';
  /** The comment's or the flag act's id. */
  id: string;
}

/** The workflow ID of the mail about one committee act: started once per act. */
export function committeeNoticeId(cycleOrMunicipality: string, input: CommitteeNoticeInput): string {
  return `${cycleOrMunicipality}/committee-${input.kind}/${input.id}`;
}

/**
 * Delivers the mail about one committee act (issue 14), retried until the relay takes it: the
 * API stores the act and its send-log row in one transaction and starts this workflow, whose ID
 * (one per act) and the send log's key keep it to one mail.
 */
export async function committeeNoticeWorkflow(input: CommitteeNoticeInput): Promise<SendOnceResult> {
  const firedAt = new Date().toISOString();
  return input.kind === 'comment'
    ? sendCommitteeCommentMail({ commentId: input.id, firedAt })
    : sendAreaFlagMail({ actId: input.id, firedAt });
}
