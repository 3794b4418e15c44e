// The workflow bundle's entry point: every workflow the worker runs is exported here.
export { deliverableWorkflow } from './deliverable-workflow';
export { budgetCycleWorkflow } from './budget-cycle-workflow';
export { weeklyDigestWorkflow } from './weekly-digest-workflow';
export { lupWorkflow } from './lup-workflow';
export { committeeNoticeWorkflow } from './committee-notice-workflow';
export { reminderDispatchWorkflow } from './reminder-dispatch-workflow';
export { phaseGroupWorkflow } from './phase-group-workflow';
