import type { Pool } from 'pg';

/** An e-mail ready to hand to the relay. Header values are already one line each. */
export interface OutgoingMail {
  from?: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Stable Message-ID: a resend in the crash window carries the same ID, so it can be spotted. */
  messageId: string;
}

export interface Mailer {
  /** Resolves when the relay accepted the mail for at least one recipient. */
  send(mail: OutgoingMail): Promise<{ messageId: string; accepted: string[]; rejected: string[] }>;
}

/**
 * Whether a relay's refusal is permanent (SMTP 5xx: no such mailbox, policy): retrying cannot
 * help, so the send is recorded as failed. Anything else (4xx, connection refused, timeout) is
 * retried with backoff until the relay is back.
 */
export function isPermanentSmtpFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A mail's recorded outcome in the send log. */
export type MailOutcome = 'sent' | 'failed' | 'expired';

/**
 * Where activities report what happened to mails (Prometheus in a worker process, see
 * src/app/metrics.ts). Called once per outcome, after the transaction that recorded it committed,
 * so a retry that finds the outcome already recorded does not count it again.
 */
export interface MailMetrics {
  /**
   * `kind` is the send log's kind (`reminder`, `escalation-2`, `weekly-digest`, …). For a mail
   * sent, `latenessSeconds` is how long after its planned instant the relay accepted it.
   */
  mailRecorded(outcome: MailOutcome, kind: string, latenessSeconds?: number): void;
}

export interface ActivityDeps {
  db: Pool;
  mailer: Mailer;
  clock: Clock;
  /** Where users reach Årshjul's pages: mails link to them. */
  publicUrl?: string;
  /** Counts mails by outcome; absent (tests, tools), nothing is counted. */
  metrics?: MailMetrics;
}
