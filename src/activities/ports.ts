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
  send(mail: OutgoingMail): Promise<{ messageId: string; accepted: string[] }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ActivityDeps {
  db: Pool;
  mailer: Mailer;
  clock: Clock;
}
