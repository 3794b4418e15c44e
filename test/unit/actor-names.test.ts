import { actorNamesFrom, personIdsOf, UNKNOWN_PERSON } from '../../src/db/actor-names';
import { cliActor } from '../../src/client/cli/output';
import { actorOf, TokenPrincipal } from '../../src/domain/principal';

/** Issue 13: the record names actors by pseudonymous ids; pages show names looked up when drawn. */
describe('actor names at display time', () => {
  const names = actorNamesFrom(
    new Map([
      ['p_aaaaaaaaaaaa', 'Elin Nyström'],
      ['p_bbbbbbbbbbbb', 'Johan Ek'],
    ]),
    new Map([
      ['tok_0123456789ab', { label: 'Ekonomisystemet', owner: 'Team Ekonomi' }],
      ['tok_111111111111', { label: 'Lönesystemet', owner: 'p_bbbbbbbbbbbb' }],
      ['tok_222222222222', { label: 'Importen', owner: 'cli:uid:1000' }],
      ['tok_333333333333', { label: 'Gammal', owner: 'person:p_aaaaaaaaaaaa' }],
    ]),
  );
  const tokenOwnedBy = (owner: string): TokenPrincipal => ({
    kind: 'token',
    tokenId: 'tok_0123456789ab',
    owner,
    label: 'Ekonomisystemet',
    grants: [],
    scopes: ['read'],
  });

  test('a person by name; an erased or unknown person by a neutral text, never the id', () => {
    expect(names.label('person:p_aaaaaaaaaaaa')).toBe('Elin Nyström');
    expect(names.label('person:p_cccccccccccc')).toBe(UNKNOWN_PERSON);
  });

  test('a token owned by a person: the record names the person id, the page the name', () => {
    const actor = actorOf({ ...tokenOwnedBy('p_bbbbbbbbbbbb'), tokenId: 'tok_111111111111' });
    expect(actor).toBe('token:tok_111111111111 (owner p_bbbbbbbbbbbb)');
    expect(names.label(actor)).toBe('Lönesystemet (Johan Ek)');
    expect(personIdsOf(actor)).toEqual(['p_bbbbbbbbbbbb']);
    // The record's owner (who answered then) goes before the table's.
    expect(names.label('token:tok_0123456789ab (owner p_aaaaaaaaaaaa)')).toBe('Ekonomisystemet (Elin Nyström)');
    // Erased, or not known here: a neutral text.
    expect(names.label('token:tok_999999999999 (owner p_cccccccccccc)')).toBe(UNKNOWN_PERSON);
  });

  test('a token owned by free text: the record holds no text, the page shows the owner from the table', () => {
    const actor = actorOf(tokenOwnedBy('Team Ekonomi'));
    expect(actor).toBe('token:tok_0123456789ab');
    expect(actor).not.toContain('Team');
    expect(personIdsOf(actor)).toEqual([]);
    expect(names.label(actor)).toBe('Ekonomisystemet (Team Ekonomi)');
    // The table's owner a person id (either form): the person's name; the command line in words.
    expect(names.label('token:tok_111111111111')).toBe('Lönesystemet (Johan Ek)');
    expect(names.label('token:tok_333333333333')).toBe('Gammal (Elin Nyström)');
    expect(names.label('token:tok_222222222222')).toBe('Importen (kommandoraden (uid 1000))');
    // A token no longer known, recorded without an owner: its id, which names no one.
    expect(names.label('token:tok_999999999999')).toBe('tok_999999999999');
  });

  test('the command line by the numeric uid of its account, never the account name', () => {
    const actor = cliActor();
    expect(actor).toMatch(/^cli:uid:(\d+|okänd)$/);
    if (process.getuid) expect(actor).toBe(`cli:uid:${process.getuid()}`);
    expect(names.label('cli:uid:0')).toBe('kommandoraden (uid 0)');
    expect(names.label('cli:uid:1000')).toBe('kommandoraden (uid 1000)');
    expect(names.label('cli:uid:okänd')).toBe('kommandoraden (okänt konto)');
    expect(personIdsOf('cli:uid:1000')).toEqual([]);
  });

  test('records from before: a free-text owner in the record, a user name, a label, as they stand', () => {
    // A known token shows the table's owner, whatever an older record says.
    expect(names.label('token:tok_0123456789ab (owner Team Ekonomi)')).toBe('Ekonomisystemet (Team Ekonomi)');
    // A token no longer known: its owner as the older record gives it.
    expect(names.label('token:tok_999999999999 (owner Team Ekonomi)')).toBe('Team Ekonomi');
    expect(personIdsOf('token:tok_0123456789ab (owner Team)')).toEqual([]);
    expect(names.label('cli:slk')).toBe('cli:slk');
    expect(names.label('board:farsta (Anna Andersson, tok_123)')).toBe('Anna Andersson');
    expect(names.label('cli')).toBe('cli');
  });

  test('the person ids an actor refers to, for the one look-up', () => {
    expect(personIdsOf('person:p_aaaaaaaaaaaa')).toEqual(['p_aaaaaaaaaaaa']);
    expect(personIdsOf('token:tok_0123456789ab (owner p_bbbbbbbbbbbb)')).toEqual(['p_bbbbbbbbbbbb']);
    expect(personIdsOf('cli')).toEqual([]);
  });
});
