import fc from 'fast-check';
import { grantsOfGroups, groupMappingSchema } from '../../src/domain/group-grants';

describe('grants from the provider’s groups', () => {
  const mapping = groupMappingSchema.parse({
    'arshjul-slk': ['admin'],
    'farsta-handlaggare': ['board:farsta:handlaggare'],
    'farsta-ledning': ['board:farsta:forvaltningschef', 'board:farsta:handlaggare'],
  });

  it('maps the groups it names and ignores the rest, without repeats', () => {
    expect(grantsOfGroups(mapping, ['farsta-handlaggare', 'farsta-ledning', 'alla-anstallda'])).toEqual([
      { kind: 'board', boardId: 'farsta', duty: 'forvaltningschef' },
      { kind: 'board', boardId: 'farsta', duty: 'handlaggare' },
    ]);
    expect(grantsOfGroups(mapping, [])).toEqual([]);
    // A group named like an object's own property is no group of the mapping.
    expect(grantsOfGroups(mapping, ['constructor', '__proto__', 'toString'])).toEqual([]);
  });

  it('names the group whose grant is wrong', () => {
    const result = groupMappingSchema.safeParse({ ok: ['admin'], bad: ['board:farsta'] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['bad', 0]);
  });

  it('gives the same grants whatever the order of the groups', () => {
    fc.assert(
      fc.property(fc.subarray(Object.keys(mapping)), (groups) => {
        expect(grantsOfGroups(mapping, [...groups].reverse())).toEqual(grantsOfGroups(mapping, groups));
      }),
    );
  });
});
