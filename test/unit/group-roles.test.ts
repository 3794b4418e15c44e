import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGroupRoles, loadRegistry, shippedGroupRolesPath, shippedRegistryPath } from '../../src/client/data-files';
import { formatGroupRole, groupRolesSchema, rolesForGroups } from '../../src/domain/group-roles';
import { organisationsOn } from '../../src/domain/organisations';
import { formatPath } from '../../src/domain/validate-calendar';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';

const problems = (input: unknown): string[] => {
  const parsed = groupRolesSchema.safeParse(input);
  if (parsed.success) throw new Error('expected the mapping to be refused');
  return parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
};

describe('the mapping of identity-provider groups to roles', () => {
  it('reads each kind of role', () => {
    const mapping = groupRolesSchema.parse({
      groups: {
        'arshjul-slk': 'admin',
        'arshjul-utskott': 'committee',
        'arshjul-stadshus': 'stadshus',
        'arshjul-farsta-controller': 'board:farsta:controller',
        'CN=Årshjul Handläggare,OU=Hägersten-Älvsjö': 'board:hagersten-alvsjo:handlaggare',
      },
    });
    expect(mapping.groups['arshjul-slk']).toEqual({ kind: 'admin' });
    expect(mapping.groups['arshjul-stadshus']).toEqual({ kind: 'stadshus' });
    expect(mapping.groups['CN=Årshjul Handläggare,OU=Hägersten-Älvsjö']).toMatchObject({ duty: 'handlaggare' });
    expect(mapping.groups['arshjul-farsta-controller']).toEqual({
      kind: 'board',
      boardId: 'farsta',
      duty: 'controller',
    });
  });

  it('gives the roles of the groups it names, each once, and none for other groups', () => {
    const mapping = groupRolesSchema.parse({
      groups: { a: 'committee', b: 'board:farsta:forvaltningschef', c: 'committee' },
    });
    expect(rolesForGroups(mapping, ['x', 'b', 'a', 'c', 'toString', '__proto__']).map(formatGroupRole)).toEqual([
      'board:farsta:forvaltningschef',
      'committee',
    ]);
    expect(rolesForGroups(mapping, [])).toEqual([]);
  });

  it('names the group whose role is not one', () => {
    expect(
      problems({
        groups: {
          'arshjul-slk': 'superuser',
          'arshjul-farsta': 'board:farsta',
          'arshjul-farsta-ordf': 'board:farsta:ordforande',
          'arshjul-Farsta': 'board:Farsta:controller',
          'arshjul-tal': 7,
        },
      }),
    ).toEqual([
      'groups.arshjul-slk: must be admin, committee, stadshus or board:<organisation id>:<handlaggare|controller|forvaltningschef>',
      'groups.arshjul-farsta: must be admin, committee, stadshus or board:<organisation id>:<handlaggare|controller|forvaltningschef>',
      'groups.arshjul-farsta-ordf: must be admin, committee, stadshus or board:<organisation id>:<handlaggare|controller|forvaltningschef>',
      'groups.arshjul-Farsta: must be admin, committee, stadshus or board:<organisation id>:<handlaggare|controller|forvaltningschef>',
      'groups.arshjul-tal: must be a role written as text',
    ]);
  });

  it('refuses a group name with spaces at its end or control characters, an empty mapping and unknown fields', () => {
    expect(problems({ groups: { 'arshjul-slk ': 'admin', 'a\nb': 'committee', '': 'admin' } })).toEqual([
      'groups.arshjul-slk : must be a group name of 1–256 characters without control characters or spaces at either end',
      'groups.a\nb: must be a group name of 1–256 characters without control characters or spaces at either end',
      'groups.: must be a group name of 1–256 characters without control characters or spaces at either end',
    ]);
    expect(problems({ groups: {} })).toEqual(['groups: must map at least one group']);
    expect(problems({ groups: { a: 'admin' }, roles: {} })[0]).toMatch(/^: Unrecognized key/);
    expect(problems({})[0]).toMatch(/^groups: /);
  });

  it('names the file and the field when a file is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'group-roles-'));
    const file = join(dir, 'group-roles.yaml');
    writeFileSync(file, 'groups:\n  arshjul-slk: admin\n  arshjul-x: board:farsta:vd\n');
    expect(() => loadGroupRoles(file)).toThrow(
      `${file}: invalid group-role mapping:\n  groups.arshjul-x: must be admin, committee, stadshus or board:<organisation id>:<handlaggare|controller|forvaltningschef>`,
    );
  });
});

describe('the shipped example mapping and development people', () => {
  const mapping = loadGroupRoles(shippedGroupRolesPath());
  const people = loadDevPeople(shippedDevPeoplePath());
  const boardsToday = new Set(organisationsOn(loadRegistry(shippedRegistryPath()), '2026-11-30').map((o) => o.id));

  it('names only boards of the registry', () => {
    for (const role of Object.values(mapping.groups))
      if (role.kind === 'board') expect(boardsToday).toContain(role.boardId);
  });

  it('gives every person exactly one role, and the roles the brief asks for', () => {
    const roles = people.map((p) => rolesForGroups(mapping, p.groups).map(formatGroupRole));
    for (const r of roles) expect(r).toHaveLength(1);
    expect(roles.flat().sort()).toEqual(
      [
        'admin',
        'committee',
        'stadshus',
        ...['farsta', 'utbildningsnamnden'].flatMap((board) =>
          ['handlaggare', 'controller', 'forvaltningschef'].map((duty) => `board:${board}:${duty}`),
        ),
      ].sort(),
    );
  });

  it('keeps the people on the reserved domain stockholm.example', () => {
    for (const person of people) expect(person.email).toMatch(/@stockholm\.example$/);
  });
});

describe('the development people file', () => {
  it('names the person and the field that is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-people-'));
    const file = join(dir, 'dev-people.yaml');
    const person = { name: 'A', title: 't', email: 'a@stockholm.example', password: 'långt-nog', groups: [] };
    writeFileSync(
      file,
      JSON.stringify({
        people: [
          { ...person, sub: 'dev-a' },
          { ...person, sub: 'dev-a', email: 'a@stockholm.se', password: 'kort' },
        ],
      }),
    );
    expect(() => loadDevPeople(file)).toThrow(
      [
        `${file}: invalid development people:`,
        '  people[1].email: must be an address on a reserved .example domain (RFC 2606), e.g. anna@stockholm.example',
        '  people[1].password: must be at least 8 characters',
      ].join('\n'),
    );
    writeFileSync(
      file,
      JSON.stringify({
        people: [
          { ...person, sub: 'dev-a' },
          { ...person, sub: 'dev-a' },
        ],
      }),
    );
    expect(() => loadDevPeople(file)).toThrow(
      /people\[1\]\.sub: dev-a is named twice\n {2}people\[1\]\.email: a@stockholm\.example is named twice/,
    );
  });
});
