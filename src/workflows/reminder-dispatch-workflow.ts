import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { startReminderDispatch } from './reminder-dispatch-loop';
import { stopDispatchSignal } from './reminder-dispatch-messages';

/**
 * A dispatcher of its own, for deliverables started without a cycle (tools, benchmarks): the
 * cycle runs the same loop itself. Runs until told to stop.
 */
export async function reminderDispatchWorkflow(): Promise<number> {
  let stop = false;
  setHandler(stopDispatchSignal, () => void (stop = true));
  const dispatch = startReminderDispatch(workflowInfo().workflowId);
  await condition(() => stop);
  await dispatch.stop();
  return dispatch.wakes();
}
