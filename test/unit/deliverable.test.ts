import { deliverableInputSchema, deliverableWorkflowId } from '../../src/domain/deliverable';
import { notificationKey } from '../../src/activities';

const input = {
  municipality: 'stockholm',
  budgetYear: 2028,
  phase: { id: 'budgetunderlag', name: 'Budgetunderlag 2028' },
  board: { id: 'farsta', name: 'Farsta stadsdelsnämnd', email: 'registrator.farsta@example.se' },
  deadline: '2027-04-30T15:00:00+02:00',
  reminderAt: '2027-04-02T08:00:00+02:00',
};

describe('deliverable input', () => {
  it('accepts a well-formed input and derives a meaningful workflow ID', () => {
    expect(deliverableInputSchema.parse(input)).toEqual(input);
    expect(deliverableWorkflowId(input)).toBe('stockholm/2028/budgetunderlag/farsta');
  });

  it('names the field and the problem', () => {
    const result = deliverableInputSchema.safeParse({
      ...input,
      board: { ...input.board, email: 'not-an-address' },
      deadline: '30 april',
    });
    expect(result.success).toBe(false);
    const problems = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems).toEqual([
      'board.email: must be an e-mail address',
      'deadline: must be an ISO 8601 instant with offset',
    ]);
  });

  it('refuses a reminder after the deadline and unknown fields', () => {
    const late = deliverableInputSchema.safeParse({ ...input, reminderAt: '2027-05-02T08:00:00+02:00' });
    expect(late.error?.issues.map((i) => i.path.join('.'))).toEqual(['reminderAt']);
    const extra = deliverableInputSchema.safeParse({ ...input, surprise: 1 });
    expect(extra.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
});

describe('notificationKey', () => {
  it('is the same for the same planned action however the instant is written', () => {
    expect(notificationKey('w', 'reminder', '2027-04-02T08:00:00+02:00')).toBe(
      notificationKey('w', 'reminder', '2027-04-02T06:00:00.000Z'),
    );
    expect(notificationKey('w', 'reminder', '2027-04-02T08:00:00+02:00')).not.toBe(
      notificationKey('w', 'reminder', '2027-04-03T08:00:00+02:00'),
    );
  });
});
