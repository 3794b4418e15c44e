import { step, StepLogger } from '../toolchain/step';

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/** Start-up was cut short by a stop: not a failure, nothing to report. */
export class StopRequested extends Error {
  override name = 'StopRequested';
}

/**
 * The services `npm start` started and their stop, in reverse order, exactly once: however many
 * signals arrive (Ctrl-C reaches every process of the terminal's group, npm relays what it gets,
 * a process manager may signal the group and then the process), and also when a signal comes in
 * the middle of starting something, whose stop then waits for that start to finish so that what
 * it started is stopped too.
 */
export class StopSequence {
  private readonly stoppables: Stoppable[] = [];
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: StepLogger) {}

  get requested(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Runs one start-up step (with its progress lines), and registers the stop of what it started
   * (if `stopOf` names one) before a waiting stop can go on. Once a stop is asked for, starts
   * nothing more.
   */
  step<T>(
    name: string,
    work: () => Promise<T>,
    stopOf: (started: T) => Stoppable | undefined = () => undefined,
  ): Promise<T> {
    if (this.requested) return Promise.reject(new StopRequested('stopping'));
    const registered = step(name, work, this.log).then((started) => {
      const stoppable = stopOf(started);
      if (stoppable) this.stoppables.push(stoppable);
      return started;
    });
    this.inFlight = registered.catch(() => undefined);
    return registered;
  }

  /** Stops everything once; every call returns the same run. */
  stop(): Promise<void> {
    this.stopping ??= this.run();
    return this.stopping;
  }

  private async run(): Promise<void> {
    this.log('Stopping Årshjul …');
    await this.inFlight;
    for (const { name, stop } of [...this.stoppables].reverse()) {
      await step(`stop ${name}`, stop, this.log).catch((error: unknown) => this.log(`  ${String(error)}`));
    }
    this.log('Stopped.');
  }
}

/**
 * Stops the stack on SIGINT, SIGTERM and SIGHUP, then exits; returns the same stop for a failed
 * start (with its exit code: the first code asked for wins).
 */
export function stopOnSignals(stops: StopSequence): (code: number) => Promise<void> {
  let exitCode: number | undefined;
  const shutdown = async (code: number): Promise<void> => {
    exitCode ??= code;
    await stops.stop();
    process.exit(exitCode);
  };
  // `on`, not `once`: a stop often brings several signals (Ctrl-C reaches every process of the
  // terminal's group and npm relays it to us again; a process manager may signal the group and
  // then us), and an unhandled second one would end us half-way, leaving the servers running.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => {
    // The terminal is gone: what we write has no reader any more, which must not end the stop.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    void shutdown(0);
  });
  return shutdown;
}
