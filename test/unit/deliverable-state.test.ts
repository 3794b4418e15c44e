import {
  applyAction,
  applyApprove,
  applyReturn,
  applySubmit,
  checkApprove,
  checkExempt,
  checkExtension,
  checkReturn,
  checkSubmit,
  DeliverableState,
  initialState,
  isFinished,
} from '../../src/domain/deliverable-state';

const open: DeliverableState = { ...initialState(), stage: 'open' };
const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect((error as Error).name).toBe('TransitionRefused');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('deliverable transitions', () => {
  it('opens, reminds while the board owes, turns late at the deadline, and escalates', () => {
    let state = applyAction(initialState(), 'opening', undefined);
    expect(state).toEqual({ state: { ...initialState(), stage: 'open' }, notify: true });
    expect(applyAction(state.state, 'reminder', 1).notify).toBe(true);
    state = applyAction(state.state, 'deadline', undefined);
    expect(state.state.late).toBe(true);
    state = applyAction(state.state, 'escalation', 2);
    expect(state).toMatchObject({ notify: true, state: { escalationLevel: 2 } });
  });

  it('makes reminders and escalations moot once the board has submitted', () => {
    const submitted = applySubmit(open, { documentRef: 'Dnr 1', by: 'Farsta' }, '2027-04-20T10:00:00Z');
    expect(applyAction(submitted, 'reminder', 2).notify).toBe(false);
    expect(applyAction(submitted, 'escalation', 1)).toEqual({ state: submitted, notify: false });
    expect(applyAction(submitted, 'deadline', undefined).state.late).toBe(false);
  });

  it('validates input with the field named, then the stage', () => {
    expect(refusal(() => checkSubmit(open, { documentRef: '  ', by: 'x' }))).toBe('documentRef: must not be empty');
    expect(refusal(() => checkSubmit(open, { documentRef: 'a', by: 'x', decisionDate: '2027-02-30' }))).toBe(
      'decisionDate: must be a date YYYY-MM-DD',
    );
    expect(refusal(() => checkSubmit(initialState(), { documentRef: 'a', by: 'x' }))).toBe(
      'stage: submit is not possible while the deliverable is planned (inte öppnad än)',
    );
    expect(refusal(() => checkApprove(open, false, { by: 'SLK' }))).toBe('stage: this phase has no review step');
    expect(refusal(() => checkExempt({ ...open, stage: 'approved' }, { by: 'SLK', reason: 'x' }))).toBe(
      'stage: an exemption is not possible while the deliverable is approved (godkänd)',
    );
  });

  it('returns a submission for completion with a later deadline, clearing lateness', () => {
    const late = { ...applySubmit(open, { documentRef: 'a', by: 'x' }, 't'), late: true, escalationLevel: 1 };
    expect(
      refusal(() => checkReturn(late, true, { by: 'SLK', reason: 'r', deadline: '2027-05-01' }, '2027-05-01')),
    ).toBe('deadline: must be after today (2027-05-01)');
    const input = checkReturn(late, true, { by: 'SLK', reason: 'r', deadline: '2027-05-10' }, '2027-05-01');
    const returned = applyReturn(late, input, 't2');
    expect(returned).toMatchObject({ stage: 'returned', late: false, escalationLevel: 0 });
    expect(isFinished(returned, true)).toBe(false);
    expect(isFinished(applyApprove({ ...returned, stage: 'submitted' }, { by: 'SLK' }, 't3'), true)).toBe(true);
  });

  it('grants an extension only to a later deadline', () => {
    expect(
      refusal(() =>
        checkExtension(open, { by: 'SLK', reason: 'r', deadline: '2027-04-30' }, '2027-04-01', '2027-04-30'),
      ),
    ).toBe('deadline: must be after the current deadline (2027-04-30)');
    expect(
      checkExtension(open, { by: 'SLK', reason: 'r', deadline: '2027-05-14' }, '2027-04-01', '2027-04-30').deadline,
    ).toBe('2027-05-14');
  });
});
