import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** SMTP envelope: what the client said in MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  receivedAt: Date;
}

export interface SmtpSinkOptions {
  port?: number;
  host?: string;
  /** When set, every message is also written there as an .eml file a person can open. */
  mailDir?: string;
  /** Recipients refused with 550 (no such mailbox), as a real relay refuses a bad address. */
  refuseRecipient?: (address: string) => boolean;
}

/**
 * A real SMTP server on loopback that accepts every message and keeps it: the mail catcher for
 * development and the peer that tests talk to. It offers no STARTTLS (loopback only), so a
 * client configured with `smtp://` sends in the clear as it would to a local relay.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /**
   * How the relay behaves now, for tests of a relay in trouble: `acceptDelayMs` holds each
   * message that long before accepting it (a slow relay); `deferAll` answers every message with
   * 451 (a relay that is up but cannot take mail: the sender retries).
   */
  behaviour: { acceptDelayMs: number; deferAll: boolean } = { acceptDelayMs: 0, deferAll: false };
  private readonly server: SMTPServer;
  private readonly waiters = new Set<() => void>();
  private boundPort = 0;

  constructor(private readonly options: SmtpSinkOptions = {}) {
    if (options.mailDir) mkdirSync(options.mailDir, { recursive: true });
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 25 * 1024 * 1024,
      onRcptTo: (address, _session, callback) => {
        if (this.behaviour.deferAll) {
          callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 }));
          return;
        }
        if (this.options.refuseRecipient?.(address.address)) {
          const refusal = Object.assign(new Error(`5.1.1 <${address.address}>: no such mailbox`), {
            responseCode: 550,
          });
          callback(refusal);
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              const mail: ReceivedMail = {
                envelope: {
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  to: session.envelope.rcptTo.map((r) => r.address),
                },
                raw,
                parsed,
                receivedAt: new Date(),
              };
              const accept = (): void => {
                this.store(mail);
                callback();
              };
              if (this.behaviour.acceptDelayMs > 0) setTimeout(accept, this.behaviour.acceptDelayMs);
              else accept();
            })
            .catch(callback);
        });
      },
    });
    // A client that drops its connection in the middle of a transaction (a worker killed while
    // sending) makes the server emit 'error'; unhandled, that would end the whole process hosting
    // the sink. The sender retries, so the half-received mail is simply not kept.
    this.server.on('error', () => undefined);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `smtp://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  async start(): Promise<this> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const address = this.server.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the received mails once `predicate` holds for them, or rejects on timeout. */
  async waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs = 30_000): Promise<ReceivedMail[]> {
    if (predicate(this.received)) return this.received;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.received)) return;
        cleanup();
        resolve(this.received);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`SMTP sink: condition not met within ${timeoutMs} ms (${this.received.length} mails)`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  private store(mail: ReceivedMail): void {
    this.received.push(mail);
    if (this.options.mailDir) {
      const stamp = mail.receivedAt.toISOString().replace(/[:.]/g, '-');
      writeFileSync(join(this.options.mailDir, `${stamp}-${this.received.length}.eml`), mail.raw);
    }
    for (const waiter of [...this.waiters]) waiter();
  }
}
