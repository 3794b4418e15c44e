import { z } from 'zod';
import {
  describeProblem,
  refusalBesideQuestion,
  refusalInSwedish,
  sentencesBesideQuestion,
} from '../../src/client/http/pages/format';
import {
  checkApprove,
  checkExtension,
  checkReturn,
  checkSubmit,
  DeliverableState,
  initialState,
} from '../../src/domain/deliverable-state';
import { checkDialogue, checkStageAfter, initialLupState } from '../../src/domain/lup-state';
import { isRefusalCode, localDateSchema, Refusal, refusalCodes, refusalFromZodError } from '../../src/domain/refusals';
import { contentShapeProblem, MAX_CONTENT_CHARS } from '../../src/domain/report-submission';

/**
 * Refusals carry a stable code and the field (issue 12, DESIGN.md): zod's issues map to the
 * closed set of codes, the domain's checks say theirs, and every code has a Swedish sentence.
 */

const refusalOf = (schema: z.ZodType, input: unknown, prefix: string[] = []): Refusal => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return refusalFromZodError(parsed.error, input, prefix);
};

/** What a check throws, as the refusal it carries. */
const thrown = (run: () => unknown): Refusal => {
  try {
    run();
  } catch (error) {
    expect((error as Error).name).toBe('TransitionRefused');
    const { field, problem, code, params } = error as Refusal;
    return { field, problem, code, ...(params && { params }) };
  }
  throw new Error('expected a refusal');
};

describe('zod issues as refusal codes', () => {
  const form = z
    .object({
      title: z.string().trim().min(1, { message: 'must not be empty' }).max(300),
      date: localDateSchema(),
      isoDate: z.iso.date().optional(),
      count: z.number().int().min(1).max(9).optional(),
      id: z
        .string()
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
        .optional(),
      code: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional(),
      kind: z.enum(['a', 'b']).optional(),
      list: z.array(z.string()).min(1).max(2).optional(),
    })
    .strict();
  const good = { title: 'Rubrik', date: '2027-04-30' };

  it('names the field and the bound: too long with max, empty as required, missing as required', () => {
    expect(refusalOf(form, { ...good, title: 'x'.repeat(301) })).toEqual({
      field: 'title',
      problem: expect.any(String),
      code: 'too-long',
      params: { max: 300 },
    });
    expect(refusalOf(form, { ...good, title: '   ' })).toEqual({
      field: 'title',
      problem: 'must not be empty',
      code: 'required',
    });
    expect(refusalOf(form, { date: good.date })).toMatchObject({ field: 'title', code: 'required' });
    expect(refusalOf(form, { ...good, title: 12 })).toMatchObject({
      field: 'title',
      code: 'wrong-type',
      params: { expected: 'string' },
    });
  });

  it('tells dates, identifiers, formats and options apart', () => {
    expect(refusalOf(form, { ...good, date: '2027-02-30' })).toEqual({
      field: 'date',
      problem: 'must be a date YYYY-MM-DD',
      code: 'bad-date',
    });
    expect(refusalOf(form, { ...good, isoDate: '30/4 2027' })).toMatchObject({ field: 'isoDate', code: 'bad-date' });
    expect(refusalOf(form, { ...good, id: 'Not A Slug' })).toMatchObject({ field: 'id', code: 'not-a-slug' });
    expect(refusalOf(form, { ...good, code: 'abc' })).toMatchObject({ field: 'code', code: 'bad-format' });
    expect(refusalOf(form, { ...good, kind: 'c' })).toMatchObject({
      field: 'kind',
      code: 'not-an-option',
      params: { options: 'a, b' },
    });
  });

  it('keeps numbers in range and lists within their bounds', () => {
    expect(refusalOf(form, { ...good, count: 10 })).toMatchObject({ code: 'out-of-range', params: { max: 9 } });
    expect(refusalOf(form, { ...good, count: 0 })).toMatchObject({ code: 'out-of-range', params: { min: 1 } });
    expect(refusalOf(form, { ...good, count: 1.5 })).toMatchObject({ field: 'count', code: 'wrong-type' });
    expect(refusalOf(form, { ...good, list: [] })).toMatchObject({ code: 'too-few', params: { min: 1 } });
    expect(refusalOf(form, { ...good, list: ['a', 'b', 'c'] })).toMatchObject({ code: 'too-many', params: { max: 2 } });
  });

  it('names an unknown field by its key, under the prefix given', () => {
    expect(refusalOf(form, { ...good, stage: 'approved' })).toEqual({
      field: 'stage',
      problem: 'unknown field',
      code: 'unknown-field',
    });
    expect(refusalOf(z.object({ a: z.object({}).strict() }), { a: { b: 1 } }, ['content'])).toMatchObject({
      field: 'content.a.b',
      code: 'unknown-field',
    });
  });

  it('takes a code a custom check names, and calls any other custom check invalid', () => {
    const named = z.string().refine(() => false, { message: 'twice', params: { refusal: 'duplicate' } });
    const unnamed = z.string().refine(() => false, { message: 'no' });
    const unknownName = z.string().refine(() => false, { message: 'no', params: { refusal: 'not-a-code' } });
    expect(refusalOf(named, 'x')).toEqual({ field: '(input)', problem: 'twice', code: 'duplicate' });
    expect(refusalOf(unnamed, 'x')).toMatchObject({ code: 'invalid' });
    expect(refusalOf(unknownName, 'x')).toMatchObject({ code: 'invalid' });
  });

  it('gives a submission’s content problems their codes, field `content`', () => {
    expect(contentShapeProblem(false, { a: 1 })).toMatchObject({ field: 'content', code: 'no-content-taken' });
    expect(contentShapeProblem(true, ['x'])).toMatchObject({ field: 'content', code: 'wrong-type' });
    expect(contentShapeProblem(true, { a: 'x'.repeat(MAX_CONTENT_CHARS) })).toMatchObject({
      field: 'content',
      code: 'content-too-large',
      params: { max: MAX_CONTENT_CHARS },
    });
    expect(contentShapeProblem(true, { a: 1 })).toBeUndefined();
  });
});

describe('the domain’s refusals', () => {
  const open: DeliverableState = { ...initialState(), stage: 'open' };
  const submitted: DeliverableState = { ...open, stage: 'submitted' };

  it('says which action the stage does not allow, with the action and stage as params', () => {
    expect(thrown(() => checkApprove(open, true, { by: 'SLK' }))).toEqual({
      field: 'stage',
      problem: 'approve is not possible while the deliverable is open (öppen)',
      code: 'not-possible-in-stage',
      params: { action: 'approve', stage: 'open' },
    });
    expect(thrown(() => checkSubmit(submitted, { documentRef: 'Dnr 1', by: 'x' }))).toMatchObject({
      code: 'not-possible-in-stage',
      params: { action: 'submit', stage: 'submitted' },
    });
    expect(thrown(() => checkApprove(submitted, false, { by: 'SLK' }))).toMatchObject({ code: 'no-review-step' });
  });

  it('gives the dates a deadline is measured against', () => {
    const input = { by: 'SLK', reason: 'r', deadline: '2027-03-01' };
    expect(thrown(() => checkReturn(submitted, true, input, '2027-03-01'))).toMatchObject({
      field: 'deadline',
      code: 'not-in-future',
      params: { today: '2027-03-01' },
    });
    expect(thrown(() => checkExtension(open, input, '2027-02-01', '2027-03-10'))).toMatchObject({
      field: 'deadline',
      code: 'before-current-deadline',
      params: { date: '2027-03-10' },
    });
    expect(
      thrown(() => checkExtension(open, { ...input, deadline: '2027-02-30' }, '2027-02-01', '2027-02-10')),
    ).toMatchObject({
      field: 'deadline',
      code: 'bad-date',
    });
  });

  it('refuses the LUP’s steps with codes', () => {
    const dialogue = {
      id: 'dialog-1',
      need: 'N',
      question: 'Q',
      forms: ['möte'],
      roomForInfluence: 'R',
      participants: [{ group: 'invanare' as const, count: 3 }],
      heldOn: '2027-01-10',
      by: 'x',
    };
    const state = { ...initialLupState('farsta'), dialogues: [{ ...dialogue, boardId: 'farsta' }] };
    expect(thrown(() => checkDialogue(state, dialogue))).toMatchObject({
      field: 'id',
      code: 'already-recorded',
      params: { id: 'dialog-1' },
    });
    const stage = { budgetYear: 2027, phaseId: 'lup', on: '2027-01-10', by: 'x' };
    expect(
      thrown(() =>
        checkStageAfter({ programmeInForce: false, dialogues: 1 }, { ...stage, stage: 'follow-up', content: {} }),
      ),
    ).toMatchObject({ field: 'programme', code: 'no-programme' });
    expect(
      thrown(() =>
        checkStageAfter(
          { programmeInForce: false, dialogues: 0 },
          { ...stage, stage: 'programme', content: { atgarder: { atgarder: [{ id: 'Ä', titel: 'T' }] } } },
        ),
      ),
    ).toMatchObject({ field: 'answers.atgarder.atgarder[0].id', code: 'not-a-slug' });
  });
});

describe('refusals in Swedish', () => {
  /** Params of the kinds the engine sends, so each sentence can be read whole. */
  const params = {
    max: 300,
    min: 1,
    today: '2027-04-01',
    date: '2027-04-30',
    action: 'approve',
    stage: 'open',
    current: 'analys',
    id: 'x',
    ids: 'a, b',
    refs: 'measure:a',
    board: 'farsta',
    phase: 'budgetunderlag',
    by: 'SLK',
    reason: 'fel år',
    options: 'a, b',
    expected: 'string',
    size: '30 MB',
    allowed: 'PDF',
    type: 'PDF',
    extensions: '.pdf',
    version: 2,
    detail: 'rad 1',
    status: 'completed',
  };

  it('has a Swedish sentence for every code in the closed set, never the English problem', () => {
    const english = 'ENGLISH PROBLEM TEXT';
    const untranslated = refusalCodes.filter((code) => {
      const { text } = refusalInSwedish({ code, params, problem: english });
      return (
        !text.trim() || text.includes(english) || text.includes('undefined') || text.startsWith('Begäran avvisades')
      );
    });
    expect(untranslated).toEqual([]);
    // Without params too: a sentence never shows "undefined".
    for (const code of refusalCodes) {
      expect(refusalInSwedish({ code, problem: english }).text).not.toMatch(/undefined|ENGLISH/);
    }
  });

  it('fills in the params: dates in Swedish, the action and the stage in words', () => {
    expect(describeProblem('deadline', { code: 'not-in-future', params: { today: '2027-04-01' }, problem: 'x' })).toBe(
      'Ny sista dag måste vara efter i dag (1 april 2027)',
    );
    expect(
      describeProblem('stage', {
        code: 'not-possible-in-stage',
        params: { action: 'approve', stage: 'open' },
        problem: 'x',
      }),
    ).toBe('Godkännande går inte nu: leveransen är öppen');
    expect(describeProblem('documentRef', { code: 'too-long', params: { max: 200 }, problem: 'x' })).toBe(
      'Dokumentreferens/diarienummer får vara högst 200 tecken',
    );
    expect(describeProblem('decisionDate', { code: 'bad-date', problem: 'x' })).toBe(
      'Beslutsdatum måste vara ett datum skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-30',
    );
    expect(describeProblem('content', { code: 'not-a-slug', problem: 'x' }, 'measures.0.id')).toBe(
      'Innehållet (measures.0.id) får bara innehålla små bokstäver a–z, siffror och bindestreck',
    );
    expect(describeProblem('answers', { code: 'not-ready', params: { missing: 3 }, problem: 'x' })).toBe(
      'Rapporten kan inte klarmarkeras: 3 obligatoriska svar saknas',
    );
  });

  it('says an unknown code in Swedish with the English text, never silently', () => {
    expect(isRefusalCode('from-a-newer-worker')).toBe(false);
    expect(describeProblem('deadline', { code: 'from-a-newer-worker', problem: 'deadline: something new' })).toBe(
      'Begäran avvisades av ett skäl som inte kan visas på svenska (deadline: something new)',
    );
  });
});

describe('refusals beside a question of the report form', () => {
  it('says the answer codes as whole sentences, with an upper bound when it is the only one', () => {
    expect(refusalBesideQuestion({ code: 'required', problem: 'x' })).toBe('Svaret behövs.');
    expect(refusalBesideQuestion({ code: 'too-long', params: { max: 500 }, problem: 'x' })).toBe(
      'Texten är för lång: högst 500 tecken.',
    );
    expect(refusalBesideQuestion({ code: 'too-many-rows', params: { min: 1, max: 5 }, problem: 'x' })).toBe(
      'Tabellen har för många rader.',
    );
  });

  it('says any other code as the other pages do, as a sentence of its own', () => {
    expect(refusalBesideQuestion({ code: 'not-ready', params: { missing: 2 }, problem: 'x' })).toBe(
      'Rapporten kan inte klarmarkeras: 2 obligatoriska svar saknas.',
    );
    expect(refusalBesideQuestion({ code: 'from-a-newer-worker', problem: 'new' })).toBe(
      'Begäran avvisades av ett skäl som inte kan visas på svenska (new).',
    );
  });

  it('hands the form script the same sentences by code', () => {
    const sentences = sentencesBesideQuestion();
    expect(sentences['no-file']).toBe(refusalBesideQuestion({ code: 'no-file', problem: 'x' }));
    expect(sentences['too-long']).toBe('Texten är för lång.');
  });
});
