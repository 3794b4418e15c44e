import { BoardMember, boardPeopleRecipients, StandInFor } from '../../src/domain/board-recipients';

const member = (personId: string, duties: BoardMember['duties'], extra: Partial<BoardMember> = {}): BoardMember => ({
  personId,
  email: `${personId}@stockholm.example`,
  language: 'sv',
  weeklyDigest: false,
  mutedBoards: [],
  duties,
  ...extra,
});

const members = [
  member('p_handlaggare1', ['handlaggare']),
  member('p_controller1', ['controller'], { language: 'en' }),
  member('p_forvaltning', ['forvaltningschef'], { weeklyDigest: true }),
];

const resolve = (kind: Parameters<typeof boardPeopleRecipients>[0]['kind'], roles: string[], extra = {}) =>
  boardPeopleRecipients({ boardId: 'farsta', kind, roles, members, standIns: [], ...extra });

describe('mails by role at the board', () => {
  it('sends reminders to every duty, escalations to controllers and the förvaltningschef', () => {
    expect(resolve('reminder', ['registrator']).map((r) => r.personId)).toEqual([
      'p_handlaggare1',
      'p_controller1',
      'p_forvaltning',
    ]);
    expect(resolve('escalation', ['forvaltningschef', 'ordforande']).map((r) => r.personId)).toEqual([
      'p_controller1',
      'p_forvaltning',
    ]);
  });

  it('leaves the board’s people out of a step to the group parent or the committee', () => {
    expect(resolve('escalation', ['koncernmoder'])).toEqual([]);
    expect(resolve('escalation', ['utskott'])).toEqual([]);
  });

  it('keeps each person’s language and digest, and leaves out those who turned the board off', () => {
    const out = boardPeopleRecipients({
      boardId: 'farsta',
      kind: 'reminder',
      roles: ['registrator'],
      members: [...members, member('p_muted', ['controller'], { mutedBoards: ['farsta'] })],
      standIns: [],
    });
    expect(out).toEqual([
      { address: 'p_handlaggare1@stockholm.example', language: 'sv', weeklyDigest: false, personId: 'p_handlaggare1' },
      { address: 'p_controller1@stockholm.example', language: 'en', weeklyDigest: false, personId: 'p_controller1' },
      { address: 'p_forvaltning@stockholm.example', language: 'sv', weeklyDigest: true, personId: 'p_forvaltning' },
    ]);
    // Muted at another board only: still mailed here.
    const other = resolve('reminder', ['registrator'], {
      members: [member('p_x', ['controller'], { mutedBoards: ['jarva'] })],
    });
    expect(other.map((r) => r.personId)).toEqual(['p_x']);
  });

  it('mails the stand-in of someone away, in the stand-in’s language, once per address', () => {
    const standIns: StandInFor[] = [
      {
        absentPersonId: 'p_controller1',
        standIn: {
          personId: 'p_standin',
          email: 'Stand.In@stockholm.example',
          language: 'sv',
          weeklyDigest: false,
          mutedBoards: [],
        },
      },
      // The handläggare's stand-in is the förvaltningschef, who is mailed already.
      { absentPersonId: 'p_handlaggare1', standIn: { ...members[2]!, duties: undefined } as never },
      // Someone away whose duty does not hear of escalations: their stand-in does not either.
      {
        absentPersonId: 'p_handlaggare1',
        standIn: {
          personId: 'p_other',
          email: 'other@stockholm.example',
          language: 'en',
          weeklyDigest: false,
          mutedBoards: [],
        },
      },
    ];
    expect(resolve('reminder', ['registrator'], { standIns }).map((r) => [r.personId, r.standingInFor])).toEqual([
      ['p_handlaggare1', undefined],
      ['p_controller1', undefined],
      ['p_forvaltning', undefined],
      ['p_standin', 'p_controller1'],
      ['p_other', 'p_handlaggare1'],
    ]);
    expect(resolve('escalation', ['forvaltningschef'], { standIns }).map((r) => r.personId)).toEqual([
      'p_controller1',
      'p_forvaltning',
      'p_standin',
    ]);
  });

  it('skips people without an address (erased details)', () => {
    const out = resolve('reminder', ['registrator'], {
      members: [member('p_gone', ['controller'], { email: undefined })],
    });
    expect(out).toEqual([]);
  });
});
