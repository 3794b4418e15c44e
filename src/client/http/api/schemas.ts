import { z } from 'zod';
import {
  confirmMilestoneSchema,
  deliverableActionSchemas,
  moveDeadlineSchema,
} from '../../operations/cycle-operations';

/** Request and response shapes of the HTTP API: validated at the edge, documented in OpenAPI. */

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });

export const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) }).strict();
export const deliverableParams = yearParams.extend({ phaseId: slug, boardId: slug }).strict();
export const milestoneParams = yearParams.extend({ milestoneId: slug }).strict();
export const boardParams = z.object({ boardId: slug }).strict();
export const noQuery = z.object({}).strict();

export const submitBody = deliverableActionSchemas.submit;
export const approveBody = deliverableActionSchemas.approve;
export const returnBody = deliverableActionSchemas.return;
export const extendBody = deliverableActionSchemas.extend;
export const exemptBody = deliverableActionSchemas.exempt;
export const moveDeadlineBody = moveDeadlineSchema;
export const confirmMilestoneBody = confirmMilestoneSchema.omit({ milestoneId: true }).strict();

export const errorResponse = z.object({
  error: z.enum(['bad-request', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'too-many-requests']),
  message: z.string(),
  field: z.string().optional(),
});

const stage = z.enum(['planned', 'open', 'submitted', 'returned', 'approved', 'exempt']);

export const deliverableSummary = z.object({
  workflowId: z.string(),
  phaseId: z.string(),
  phaseName: z.string(),
  boardId: z.string(),
  boardName: z.string(),
  answeringBoardId: z.string(),
  stage,
  late: z.boolean(),
  escalationLevel: z.number().int(),
  deadline: z.string(),
  deadlineAt: z.string(),
  updatedAt: z.string(),
});

export const deliverableState = z.object({
  stage,
  late: z.boolean(),
  escalationLevel: z.number().int(),
  submissions: z.array(
    z.object({
      documentRef: z.string(),
      decisionDate: z.string().optional(),
      comment: z.string().optional(),
      by: z.string(),
      at: z.string(),
    }),
  ),
  reviews: z.array(
    z.object({
      decision: z.enum(['approved', 'returned']),
      by: z.string(),
      at: z.string(),
      comment: z.string().optional(),
    }),
  ),
  exemption: z.object({ by: z.string(), at: z.string(), reason: z.string() }).optional(),
});

export const deliverableDetail = z.object({
  summary: deliverableSummary,
  state: deliverableState,
  pending: z.array(z.object({ id: z.string(), kind: z.string(), instant: z.string(), level: z.number().optional() })),
  history: z.array(z.object({ actionId: z.string(), kind: z.string(), plannedAt: z.string(), outcome: z.string() })),
});

export const cycleSummary = z.object({
  municipality: z.string(),
  budgetYear: z.number().int(),
  workflowId: z.string(),
  startedAt: z.string(),
  phases: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['milestone', 'deliverable']),
      date: z.string().optional(),
      deadline: z.string().optional(),
    }),
  ),
});

export const cycleStatus = z.object({
  workflowId: z.string(),
  municipality: z.string(),
  budgetYear: z.number().int(),
  openDeliverables: z.number().int(),
  finishedDeliverables: z.number().int(),
  phases: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['milestone', 'deliverable']),
      stage: z.string(),
      plannedDate: z.string(),
      confirmedOn: z.string().optional(),
      deadline: z.string().optional(),
    }),
  ),
});

export const mailRecord = z.object({
  kind: z.string(),
  plannedAt: z.string(),
  sentAt: z.string().nullable(),
  status: z.string(),
  subject: z.string(),
  recipients: z.array(z.string()),
  problem: z.string().nullable(),
});

export const me = z.object({ role: z.string(), label: z.string(), tokenId: z.string() });
