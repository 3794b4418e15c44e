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
    expect(worker.stderr().trim().split('\n')).toEqual([
      'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/arshjul',
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
