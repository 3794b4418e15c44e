import { canSeeBoard, canWrite, formatRole, isAdmin, Principal, Role, roleSchema } from '../../src/domain/roles';

const principal = (role: string): Principal => ({
  role: roleSchema.parse(role),
  tokenId: 'tok_000000000000',
  label: 't',
});

describe('roles', () => {
  it('parses the three kinds of role and formats them back', () => {
    expect(roleSchema.parse('admin')).toEqual({ kind: 'admin' });
    expect(roleSchema.parse('committee')).toEqual({ kind: 'committee' });
    expect(roleSchema.parse('board:farsta')).toEqual({ kind: 'board', boardId: 'farsta' });
    expect(roleSchema.parse('board:hasselby-vallingby')).toEqual({ kind: 'board', boardId: 'hasselby-vallingby' });
    for (const text of ['admin', 'committee', 'board:farsta', 'board:s-2']) {
      expect(formatRole(roleSchema.parse(text))).toBe(text);
    }
  });

  it.each([
    '',
    'board:',
    'board',
    'superuser',
    'Admin',
    'admin ',
    'board:Farsta',
    'board:a--b',
    'board:-a',
    'board:a:b',
  ])('rejects %j', (text) => {
    const result = roleSchema.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/admin, committee or board/);
  });

  it('rejects what is not a string', () => {
    expect(roleSchema.safeParse(undefined).success).toBe(false);
    expect(roleSchema.safeParse({ kind: 'admin' }).success).toBe(false);
  });

  it('lets admin do everything', () => {
    const admin = principal('admin');
    expect(isAdmin(admin)).toBe(true);
    expect(canWrite(admin)).toBe(true);
    expect(canWrite(admin, 'farsta')).toBe(true);
    expect(canSeeBoard(admin, 'farsta')).toBe(true);
  });

  it('lets the committee read every board and write nothing', () => {
    const committee = principal('committee');
    expect(isAdmin(committee)).toBe(false);
    expect(canSeeBoard(committee, 'farsta')).toBe(true);
    expect(canSeeBoard(committee, 'skarholmen')).toBe(true);
    expect(canWrite(committee)).toBe(false);
    expect(canWrite(committee, 'farsta')).toBe(false);
  });

  it('confines a board to its own deliverables', () => {
    const board = principal('board:farsta');
    expect(isAdmin(board)).toBe(false);
    expect(canSeeBoard(board, 'farsta')).toBe(true);
    expect(canSeeBoard(board, 'skarholmen')).toBe(false);
    expect(canWrite(board, 'farsta')).toBe(true);
    expect(canWrite(board, 'skarholmen')).toBe(false);
    expect(canWrite(board)).toBe(false);
  });

  it('accepts a bare role where a principal is expected', () => {
    const role: Role = { kind: 'board', boardId: 'farsta' };
    expect(canSeeBoard({ role }, 'farsta')).toBe(true);
  });
});
