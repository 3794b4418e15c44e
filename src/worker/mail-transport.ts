import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMail } from '../activities/ports';

export interface SmtpMailer extends Mailer {
  verify(): Promise<void>;
  close(): void;
}

/** The Mailer port over a pooled nodemailer SMTP transport. */
export function createSmtpMailer(smtpUrl: string, from: string): SmtpMailer {
  const url = new URL(smtpUrl);
  const port = Number(url.port || (url.protocol === 'smtps:' ? 465 : 25));
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 5,
    host: url.hostname,
    port,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // Within the send lease (45 s): an attempt gives up before another may take the send over.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  // A no-op tracer unless the process started tracing (src/app/tracing.ts).
  const tracer = trace.getTracer('arshjul');
  return {
    send: (mail: OutgoingMail) =>
      // The SMTP exchange as its own span under the activity's: a slow relay shows as such.
      tracer.startActiveSpan(
        'smtp send',
        { kind: SpanKind.CLIENT, attributes: { 'server.address': url.hostname, 'server.port': port } },
        async (span) => {
          try {
            const sent = await sendNow(mail);
            span.setAttribute('smtp.accepted', sent.accepted.length);
            span.setAttribute('smtp.rejected', sent.rejected.length);
            return sent;
          } catch (error) {
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: error instanceof Error ? error.message : String(error),
            });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };

  async function sendNow(mail: OutgoingMail) {
    const info = await transport.sendMail({
      from: mail.from ?? from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    });
    return {
      messageId: info.messageId,
      accepted: (info.accepted as unknown[]).map(String),
      rejected: (info.rejected as unknown[]).map(String),
    };
  }
}
