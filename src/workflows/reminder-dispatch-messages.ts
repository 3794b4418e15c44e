import { defineSignal } from '@temporalio/workflow';

/** A plan with a reminder before the instant the dispatcher sleeps to: it looks again. */
export const remindersScheduledSignal = defineSignal<[{ at: string }]>('remindersScheduled');

/** Ends a stand-alone dispatcher (reminderDispatchWorkflow). */
export const stopDispatchSignal = defineSignal<[]>('stopDispatch');
