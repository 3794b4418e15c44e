import { startEntryPoint } from '../helpers/processes';

describe('bad configuration', () => {
  it('makes the worker exit with code 2 and one line naming the variable', async () => {
    const worker = startEntryPoint('src/app/worker-main.ts', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: 'localhost:7233',
      SMTP_URL: 'smtp://localhost:25',
      DATABASE_URL: 'nonsense',
    });
    const { code } = await worker.exited;
    expect(code).toBe(2);
    // A production process writes JSON lines (LOG_FORMAT unset): the one line is an error object.
    const lines = worker.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      msg: 'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/arshjul',
    });
  });

  it('names a bad LOG_FORMAT, and writes the line as text when asked to', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: 'localhost:7233' };
    const bad = startEntryPoint('src/app/api-main.ts', { ...env, LOG_FORMAT: 'pretty' });
    expect((await bad.exited).code).toBe(2);
    expect(JSON.parse(bad.stderr().trim())).toMatchObject({
      level: 'error',
      msg: expect.stringContaining('LOG_FORMAT must be json or text') as unknown,
    });
    const text = startEntryPoint('src/app/api-main.ts', { ...env, LOG_FORMAT: 'text' });
    expect((await text.exited).code).toBe(2);
    expect(text.stderr().trim().split('\n')).toEqual([
      '[ERROR] Invalid configuration: DATABASE_URL is required; SMTP_URL is required',
    ]);
  });

  it('makes npm start exit with code 2 before starting anything', async () => {
    const stack = startEntryPoint('src/stack/start.ts', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HTTP_PORT: 'eighty',
    });
    const { code } = await stack.exited;
    expect(code).toBe(2);
    expect(stack.stderr()).toContain('Invalid configuration: HTTP_PORT must be a port number');
    expect(stack.stderr()).not.toContain('→ Temporal');
  });
});
