import { z } from 'zod';

/** Identifiers that appear in workflow IDs: lower-case, digits and dashes. */
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' })
  .max(80, { message: 'must be at most 80 characters' });

/** An absolute instant with an explicit offset, e.g. 2027-04-30T15:00:00+02:00. */
export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with offset' });

const bothInstants = (...values: unknown[]): boolean => values.every((v) => instantSchema.safeParse(v).success);

/** Free text a person typed: one line (no header injection), bounded. */
const oneLineText = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(300, { message: 'must be at most 300 characters' })
  .refine((value) => !/[\r\n]/.test(value), { message: 'must be one line' });

export const deliverableInputSchema = z
  .object({
    municipality: slugSchema,
    budgetYear: z.number().int().min(2000).max(2100),
    phase: z.object({ id: slugSchema, name: oneLineText }).strict(),
    board: z
      .object({ id: slugSchema, name: oneLineText, email: z.email({ message: 'must be an e-mail address' }) })
      .strict(),
    deadline: instantSchema,
    reminderAt: instantSchema,
  })
  .strict()
  // Only compared when both instants are valid: a malformed one is already reported by its field.
  .refine(
    (input) =>
      !bothInstants(input.reminderAt, input.deadline) || Date.parse(input.reminderAt) < Date.parse(input.deadline),
    {
      path: ['reminderAt'],
      message: 'must be before the deadline',
    },
  );

/** What starts a deliverable workflow: one board, one phase, one deadline, one reminder. */
export type DeliverableInput = z.infer<typeof deliverableInputSchema>;

/** Workflow IDs carry business meaning: `<municipality>/<year>/<phase>/<board>`. */
export function deliverableWorkflowId(
  input: Pick<DeliverableInput, 'municipality' | 'budgetYear' | 'phase' | 'board'>,
): string {
  return `${input.municipality}/${input.budgetYear}/${input.phase.id}/${input.board.id}`;
}
