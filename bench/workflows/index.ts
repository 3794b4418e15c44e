// The benchmark worker's workflow bundle: everything the production worker runs, plus the bare
// Temporal baselines measured next to it on the same server and worker.
import { sleep } from '@temporalio/workflow';

export * from '../../src/workflows';

/** Baseline of the start rate: a workflow that does nothing. */
export async function benchEmptyWorkflow(): Promise<void> {}

/**
 * Baseline of the deadline-day burst: sleeps to the same instants as a deliverable's timers and
 * nothing else. Returns after the timer at `returnAfter` (the burst's reminder), so its close time
 * marks when the server and worker were done with it; `stayOpen` keeps it sleeping to the last
 * timer instead (the memory benchmark's open workflows).
 */
export async function benchSleepWorkflow(input: {
  timers: string[];
  returnAfter?: number;
  stayOpen?: boolean;
}): Promise<number> {
  let woke = 0;
  for (let i = 0; i < input.timers.length; i++) {
    const wait = Date.parse(input.timers[i]!) - Date.now();
    if (wait > 0) await sleep(wait);
    woke = Date.now();
    if (!input.stayOpen && i === (input.returnAfter ?? i)) return woke;
  }
  return woke;
}
