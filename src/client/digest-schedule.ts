import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { weeklyDigestWorkflow } from '../workflows/weekly-digest-workflow';

export const DIGEST_SCHEDULE_ID = 'weekly-digest';

/**
 * The Schedule that starts the weekly digest every Monday at 08:00 Stockholm time (the server
 * applies summer time). Created once; an existing Schedule is left as it is, so an operator's
 * pause or edit survives a restart. A digest missed while the server was down is caught up
 * within the day, never a week late.
 */
export async function ensureDigestSchedule(client: Client, taskQueue: string): Promise<'created' | 'exists'> {
  try {
    await client.schedule.create({
      scheduleId: DIGEST_SCHEDULE_ID,
      spec: {
        calendars: [{ dayOfWeek: 'MONDAY', hour: 8, minute: 0 }],
        timezone: MUNICIPALITY_TIME_ZONE,
      },
      action: {
        type: 'startWorkflow',
        workflowType: weeklyDigestWorkflow,
        workflowId: 'weekly-digest',
        taskQueue,
        args: [],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { description: 'Veckosammanställning till mottagare som valt den (måndag 08:00)' },
    });
    return 'created';
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return 'exists';
    throw error;
  }
}
