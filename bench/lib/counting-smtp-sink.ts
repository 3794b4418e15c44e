import { SMTPServer } from 'smtp-server';

/**
 * A loopback SMTP server that takes every message whole (the DATA stream read to its end) and
 * counts it with its envelope's recipients, without parsing it: the relay of a benchmark that
 * only counts what arrived. The test suite's SmtpSink parses every mail (mailparser) before it
 * answers, which in a benchmark that hosts the sink puts a parse on the path of every send.
 */
export class CountingSmtpSink {
  /** Messages accepted (answered 250). */
  messages = 0;
  /** Envelope recipients of the accepted messages. */
  recipients = 0;
  /** Messages per envelope recipient address. */
  readonly byRecipient = new Map<string, number>();
  private readonly server: SMTPServer;
  private boundPort = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        stream.on('data', () => undefined);
        stream.on('error', callback);
        stream.on('end', () => {
          this.messages++;
          for (const { address } of session.envelope.rcptTo) {
            this.recipients++;
            this.byRecipient.set(address, (this.byRecipient.get(address) ?? 0) + 1);
          }
          callback();
        });
      },
    });
    // A client that drops its connection mid-message: the sender retries; not ours to crash on.
    this.server.on('error', () => undefined);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.boundPort}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
