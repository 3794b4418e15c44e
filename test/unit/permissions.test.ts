import fc from 'fast-check';
import { duties, formatGrant, Grant, grantTextSchema, Scope, scopes } from '../../src/domain/grants';
import { Action, actions, BoardTarget, decide, may, readableBoards } from '../../src/domain/permissions';
import { actorId, actorOf, Principal } from '../../src/domain/principal';
import { formatRole, grantsOfRole, roleSchema } from '../../src/domain/roles';

const person = (...grants: Grant[]): Principal => ({ kind: 'person', personId: 'p_test', grants });
const token = (grants: Grant[], tokenScopes: Scope[]): Principal => ({
  kind: 'token',
  tokenId: 'tok_000000000000',
  owner: 'p_owner',
  label: 't',
  grants,
  scopes: tokenScopes,
});
const at = (boardId: string, duty: (typeof duties)[number]): Grant => ({ kind: 'board', boardId, duty });

const A: BoardTarget = { boardId: 'farsta' };
const B: BoardTarget = { boardId: 'jarva' };
const COMPANY: BoardTarget = { boardId: 'stokab', groupParentId: 'stockholms-stadshus' };

const callers: Record<string, Principal> = {
  admin: person({ kind: 'admin' }),
  committee: person({ kind: 'committee' }),
  stadshus: person({ kind: 'stadshus' }),
  'A handläggare': person(at('farsta', 'handlaggare')),
  'A controller': person(at('farsta', 'controller')),
  'A förvaltningschef': person(at('farsta', 'forvaltningschef')),
  'B controller': person(at('jarva', 'controller')),
  nobody: person(),
};

/**
 * The declared table: for each caller and action, the outcome on board A, board B and a company
 * under Stockholms Stadshus AB, or on no board for the cross-board actions. `ok` allowed;
 * `404` hidden; `duty` missing duty; `403` forbidden.
 */
type Outcome = 'ok' | '404' | 'duty' | '403';
type Row = Record<Action, Outcome | [Outcome, Outcome, Outcome]>;
const ALL: [Outcome, Outcome, Outcome] = ['ok', 'ok', 'ok'];
const HIDDEN: [Outcome, Outcome, Outcome] = ['404', '404', '404'];
const READ_ONLY: [Outcome, Outcome, Outcome] = ['403', '403', '403'];
const OWN: [Outcome, Outcome, Outcome] = ['ok', '404', '404'];
const OWN_DUTY: [Outcome, Outcome, Outcome] = ['duty', '404', '404'];

const expected: Record<string, Row> = {
  admin: {
    'read-board': ALL,
    'read-all': 'ok',
    draft: ALL,
    'mark-ready': ALL,
    'sign-off': READ_ONLY,
    'submit-document': ALL,
    'record-dialogue': ALL,
    review: 'ok',
    admin: 'ok',
    'committee-act': '403',
  },
  committee: {
    'read-board': ALL,
    'read-all': 'ok',
    draft: READ_ONLY,
    'mark-ready': READ_ONLY,
    'sign-off': READ_ONLY,
    'submit-document': READ_ONLY,
    'record-dialogue': READ_ONLY,
    review: '403',
    admin: '403',
    'committee-act': 'ok',
  },
  stadshus: {
    'read-board': ['404', '404', 'ok'],
    'read-all': '403',
    draft: ['404', '404', '403'],
    'mark-ready': ['404', '404', '403'],
    'sign-off': ['404', '404', '403'],
    'submit-document': ['404', '404', '403'],
    'record-dialogue': ['404', '404', '403'],
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
  'A handläggare': {
    'read-board': OWN,
    'read-all': '403',
    draft: OWN,
    'mark-ready': OWN_DUTY,
    'sign-off': OWN_DUTY,
    'submit-document': OWN_DUTY,
    'record-dialogue': OWN_DUTY,
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
  'A controller': {
    'read-board': OWN,
    'read-all': '403',
    draft: OWN,
    'mark-ready': OWN,
    'sign-off': OWN_DUTY,
    'submit-document': OWN,
    'record-dialogue': OWN,
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
  'A förvaltningschef': {
    'read-board': OWN,
    'read-all': '403',
    draft: OWN,
    'mark-ready': OWN,
    'sign-off': OWN,
    'submit-document': OWN,
    'record-dialogue': OWN,
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
  'B controller': {
    'read-board': ['404', 'ok', '404'],
    'read-all': '403',
    draft: ['404', 'ok', '404'],
    'mark-ready': ['404', 'ok', '404'],
    'sign-off': ['404', 'duty', '404'],
    'submit-document': ['404', 'ok', '404'],
    'record-dialogue': ['404', 'ok', '404'],
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
  nobody: {
    'read-board': HIDDEN,
    'read-all': '403',
    draft: HIDDEN,
    'mark-ready': HIDDEN,
    'sign-off': HIDDEN,
    'submit-document': HIDDEN,
    'record-dialogue': HIDDEN,
    review: '403',
    admin: '403',
    'committee-act': '403',
  },
};

const outcomeOf = (principal: Principal, action: Action, target?: BoardTarget): Outcome => {
  const decision = decide(principal, action, target);
  if (decision.allowed) return 'ok';
  return ({ hidden: '404', 'missing-duty': 'duty', 'missing-scope': '403', forbidden: '403' } as const)[
    decision.reason
  ];
};

describe('permissions by action', () => {
  const cases = Object.entries(callers).flatMap(([name, principal]) =>
    actions.map((action) => [name, action, principal] as const),
  );

  it.each(cases)('%s × %s as declared', (name, action, principal) => {
    const want = expected[name]![action];
    if (Array.isArray(want)) {
      expect([A, B, COMPANY].map((target) => outcomeOf(principal, action, target))).toEqual(want);
    } else {
      expect(outcomeOf(principal, action)).toEqual(want);
    }
  });

  it('refuses a board action without a board, whoever asks', () => {
    for (const principal of Object.values(callers))
      for (const action of ['read-board', 'draft', 'mark-ready', 'sign-off'] as const)
        expect(decide(principal, action)).toEqual({ allowed: false, reason: 'forbidden' });
  });

  const grantArb: fc.Arbitrary<Grant> = fc.oneof(
    fc.constantFrom<Grant>({ kind: 'admin' }, { kind: 'committee' }, { kind: 'stadshus' }),
    fc.record({
      kind: fc.constant('board' as const),
      boardId: fc.constantFrom('farsta', 'jarva', 'stokab'),
      duty: fc.constantFrom(...duties),
    }),
  );
  const targetArb = fc.constantFrom(A, B, COMPANY);
  const actionArb = fc.constantFrom(...actions);

  it('allows a set of grants what any one of them allows (grants only add)', () => {
    fc.assert(
      fc.property(fc.array(grantArb, { maxLength: 4 }), actionArb, targetArb, (grants, action, target) => {
        const one = grants.some((g) => may(person(g), action, target));
        expect(may(person(...grants), action, target)).toBe(one);
      }),
    );
  });

  it('lets a token do exactly what its grants allow within its scopes', () => {
    const scopeOf = { read: ['read-board', 'read-all'], admin: ['review', 'admin'] } as Record<string, string[]>;
    fc.assert(
      fc.property(
        fc.array(grantArb, { maxLength: 3 }),
        fc.subarray([...scopes]),
        actionArb,
        targetArb,
        (grants, tokenScopes, action, target) => {
          const needed = Object.entries(scopeOf).find(([, acts]) => acts.includes(action))?.[0] ?? 'submit';
          const allowed = may(token(grants, tokenScopes), action, target);
          expect(allowed).toBe(may(person(...grants), action, target) && tokenScopes.includes(needed as Scope));
        },
      ),
    );
  });

  it('never lets a board grant reach another board', () => {
    fc.assert(
      fc.property(fc.constantFrom(...duties), actionArb, (duty, action) => {
        expect(may(person(at('farsta', duty)), action, B)).toBe(false);
        expect(decide(person(at('farsta', duty)), action, B)).toMatchObject({ reason: expect.any(String) });
      }),
    );
  });

  it('lists the rows a caller may read', () => {
    const known = [A, B, COMPANY];
    expect(readableBoards(callers.committee!, known)).toBe('all');
    expect(readableBoards(callers.stadshus!, known)).toEqual(new Set(['stokab']));
    expect(readableBoards(callers['A handläggare']!, known)).toEqual(new Set(['farsta']));
    expect(readableBoards(callers.nobody!, known)).toEqual(new Set());
    // A token without the read scope reads nothing.
    expect(readableBoards(token([at('farsta', 'controller')], ['submit']), known)).toEqual(new Set());
  });

  it('lets Stadshus read its own board, where its companies’ status is shown, and do nothing more there', () => {
    const parent: BoardTarget = { boardId: 'stockholms-stadshus', isGroupParent: true };
    expect(may(callers.stadshus!, 'read-board', parent)).toBe(true);
    for (const action of ['draft', 'mark-ready', 'sign-off', 'submit-document', 'record-dialogue'] as const)
      expect(decide(callers.stadshus!, action, parent)).toEqual({ allowed: false, reason: 'forbidden' });
    // A board's people and the group parent's own mark do not mix: Farsta still cannot see it.
    expect(decide(callers['A controller']!, 'read-board', parent)).toEqual({ allowed: false, reason: 'hidden' });
    expect(readableBoards(callers.stadshus!, [A, COMPANY, parent])).toEqual(new Set(['stokab', 'stockholms-stadshus']));
  });
});

describe('grants, roles and actors', () => {
  it('writes grants as words and reads them back', () => {
    for (const text of ['admin', 'committee', 'stadshus', 'board:farsta:handlaggare', 'board:s-2:forvaltningschef'])
      expect(formatGrant(grantTextSchema.parse(text))).toBe(text);
    for (const text of ['board:farsta', 'board:farsta:chef', 'Admin', 'board:Farsta:controller', ''])
      expect(grantTextSchema.safeParse(text).success).toBe(false);
  });

  it('turns the old roles into grants and scopes that keep what they could do', () => {
    const asToken = (role: string) => {
      const { grants, scopes: s } = grantsOfRole(roleSchema.parse(role));
      return token(grants, s);
    };
    const board = asToken('board:farsta');
    expect(
      ['read-board', 'draft', 'mark-ready', 'submit-document', 'record-dialogue'].every((a) =>
        may(board, a as Action, A),
      ),
    ).toBe(true);
    expect(may(board, 'read-board', B)).toBe(false);
    expect(may(board, 'read-all')).toBe(false);
    const committee = asToken('committee');
    expect(may(committee, 'read-all') && may(committee, 'read-board', A)).toBe(true);
    expect(may(committee, 'draft', A)).toBe(false);
    // The old committee key reads only: its members act as people, or with a key given `submit`.
    expect(may(committee, 'committee-act')).toBe(false);
    const admin = asToken('admin');
    expect(actions.filter((a) => a !== 'sign-off' && a !== 'committee-act').every((a) => may(admin, a, A))).toBe(true);
    expect(may(admin, 'committee-act')).toBe(false);
    expect(formatRole(roleSchema.parse('board:farsta'))).toBe('board:farsta');
  });

  it('names the actor by a pseudonymous id, and a token with its owner when that is a person', () => {
    expect(actorId(person())).toBe('person:p_test');
    expect(actorOf(person())).toBe('person:p_test');
    expect(actorOf(token([], []))).toBe('token:tok_000000000000 (owner p_owner)');
  });

  it('never records a free-text owner: a name stays in api_tokens, looked up when a page is drawn', () => {
    for (const owner of ['Team Ekonomi', 'Anna Andersson', 'person:p_owner', 'cli:uid:1000', 'p_', 'P_OWNER']) {
      const actor = actorOf({ ...token([], []), owner } as Principal);
      expect(actor).toBe('token:tok_000000000000');
    }
  });
});
