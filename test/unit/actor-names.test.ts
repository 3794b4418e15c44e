import { actorNamesFrom, personIdsOf, UNKNOWN_PERSON } from '../../src/db/actor-names';

/** Issue 13: the record names actors by pseudonymous ids; pages show names looked up when drawn. */
describe('actor names at display time', () => {
  const names = actorNamesFrom(
    new Map([
      ['p_aaaaaaaaaaaa', 'Elin Nyström'],
      ['p_bbbbbbbbbbbb', 'Johan Ek'],
    ]),
    new Map([['tok_0123456789ab', 'Ekonomisystemet']]),
  );

  test('a person by name; an erased or unknown person by a neutral text, never the id', () => {
    expect(names.label('person:p_aaaaaaaaaaaa')).toBe('Elin Nyström');
    expect(names.label('person:p_cccccccccccc')).toBe(UNKNOWN_PERSON);
  });

  test('a token by its label, with its owner when the owner is a person', () => {
    expect(names.label('token:tok_0123456789ab (owner Team Ekonomi)')).toBe('Ekonomisystemet');
    expect(names.label('token:tok_0123456789ab (owner p_bbbbbbbbbbbb)')).toBe('Ekonomisystemet (Johan Ek)');
    // A token no longer known: its owner as the record gives it.
    expect(names.label('token:tok_999999999999 (owner Team Ekonomi)')).toBe('Team Ekonomi');
    expect(names.label('token:tok_999999999999 (owner p_cccccccccccc)')).toBe(UNKNOWN_PERSON);
  });

  test('a record from before people signed in: the label it names, or the text as it stands', () => {
    expect(names.label('board:farsta (Anna Andersson, tok_123)')).toBe('Anna Andersson');
    expect(names.label('cli')).toBe('cli');
  });

  test('the person ids an actor refers to, for the one look-up', () => {
    expect(personIdsOf('person:p_aaaaaaaaaaaa')).toEqual(['p_aaaaaaaaaaaa']);
    expect(personIdsOf('token:tok_0123456789ab (owner p_bbbbbbbbbbbb)')).toEqual(['p_bbbbbbbbbbbb']);
    expect(personIdsOf('token:tok_0123456789ab (owner Team)')).toEqual([]);
    expect(personIdsOf('cli')).toEqual([]);
  });
});
