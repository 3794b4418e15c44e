import { createLogger, formatLine, logFormatOf, sdkLoggerOf } from '../../src/app/log';

const at = new Date('2026-03-02T07:00:00.000Z');

function captured(format: 'json' | 'text') {
  const lines: string[] = [];
  const logger = createLogger({ format, write: (chunk) => lines.push(chunk), now: () => at });
  return { logger, lines };
}

describe('formatLine', () => {
  it('writes JSON with time, level and message first, then the fields', () => {
    const line = formatLine('json', 'info', 'request', { requestId: 'r-1', status: 200, ms: 3.5 }, at);
    expect(line).toBe(
      '{"time":"2026-03-02T07:00:00.000Z","level":"info","msg":"request","requestId":"r-1","status":200,"ms":3.5}',
    );
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['time', 'level', 'msg', 'requestId', 'status', 'ms']);
  });

  it('keeps one event on one line: line breaks in the message and fields are escaped', () => {
    const line = formatLine('json', 'error', 'first\nsecond', { detail: 'a\r\nb' }, at);
    expect(line.split('\n')).toHaveLength(1);
    expect(JSON.parse(line)).toMatchObject({ msg: 'first\nsecond', detail: 'a\r\nb' });
  });

  it('does not let a field replace time, level or message, and leaves out undefined fields', () => {
    const parsed = JSON.parse(
      formatLine('json', 'warn', 'real', { msg: 'fake', level: 'debug', time: 0, gone: undefined }, at),
    ) as object;
    expect(parsed).toEqual({ time: '2026-03-02T07:00:00.000Z', level: 'warn', msg: 'real' });
  });

  it('writes an error as its name, message and stack, and a bigint as a string', () => {
    const error = new TypeError('broken');
    const parsed = JSON.parse(formatLine('json', 'error', 'failed', { error, big: 12n }, at)) as {
      error: { name: string; message: string; stack: string };
      big: string;
    };
    expect(parsed.error).toMatchObject({ name: 'TypeError', message: 'broken' });
    expect(parsed.error.stack).toContain('log.test.ts');
    expect(parsed.big).toBe('12');
  });

  it('still writes a line for a circular field', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(JSON.parse(formatLine('json', 'info', 'loop', { loop }, at))).toMatchObject({ loop: '[object Object]' });
  });

  it('writes text as the message alone at info, tagged above it, with fields as name=value', () => {
    expect(formatLine('text', 'info', 'Årshjul api started')).toBe('Årshjul api started');
    expect(formatLine('text', 'warn', 'slow', { ms: 12, route: '/api/x', ids: ['a'] }, at)).toBe(
      '[WARN] slow ms=12 route=/api/x ids=["a"]',
    );
  });
});

describe('createLogger', () => {
  it('writes one newline-terminated line per call, and line() at info', () => {
    const { logger, lines } = captured('json');
    logger.line('Migrated');
    logger.error('failed', { requestId: 'x' });
    expect(lines).toEqual([
      '{"time":"2026-03-02T07:00:00.000Z","level":"info","msg":"Migrated"}\n',
      '{"time":"2026-03-02T07:00:00.000Z","level":"error","msg":"failed","requestId":"x"}\n',
    ]);
  });
});

describe('logFormatOf', () => {
  it('takes a valid LOG_FORMAT and the fallback otherwise (loadConfig reports the bad value)', () => {
    expect(logFormatOf({ LOG_FORMAT: 'text' }, 'json')).toBe('text');
    expect(logFormatOf({ LOG_FORMAT: 'json' }, 'text')).toBe('json');
    expect(logFormatOf({}, 'json')).toBe('json');
    expect(logFormatOf({ LOG_FORMAT: 'JSON!' }, 'text')).toBe('text');
  });
});

describe('sdkLoggerOf', () => {
  it('writes an activity line with its workflow ID, run ID and activity type, without the task token', () => {
    const { logger, lines } = captured('json');
    sdkLoggerOf(logger, 'WARN').info('Mail sent', {
      sdkComponent: 'activity',
      workflowId: 'stockholm/2027/tertial-1/sdn-farsta',
      workflowRunId: 'run-1',
      workflowType: 'deliverableWorkflow',
      activityType: 'sendReminder',
      activityId: '3',
      attempt: 1,
      taskToken: 'c2VjcmV0',
      isLocal: false,
      kind: 'reminder',
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-03-02T07:00:00.000Z',
      level: 'info',
      msg: 'Mail sent',
      component: 'activity',
      workflowId: 'stockholm/2027/tertial-1/sdn-farsta',
      runId: 'run-1',
      workflowType: 'deliverableWorkflow',
      activityType: 'sendReminder',
      activityId: '3',
      attempt: 1,
      kind: 'reminder',
    });
  });

  it('filters the SDK’s own lines by LOG_LEVEL but writes what workflows and activities log from INFO up', () => {
    const { logger, lines } = captured('json');
    const sdk = sdkLoggerOf(logger, 'WARN');
    sdk.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    sdk.debug('Activity started', { sdkComponent: 'worker', workflowId: 'w' });
    sdk.debug('details', { sdkComponent: 'activity', workflowId: 'w' });
    expect(lines).toEqual([]);
    sdk.warn('Activity failed', { sdkComponent: 'worker', workflowId: 'w' });
    sdk.info('Opened', { sdkComponent: 'workflow', workflowId: 'w', runId: 'r' });
    expect(lines.map((l) => JSON.parse(l) as object)).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'Activity failed', component: 'worker', workflowId: 'w' }),
      expect.objectContaining({ level: 'info', msg: 'Opened', component: 'workflow', workflowId: 'w', runId: 'r' }),
    ]);
    const chatty = captured('json');
    sdkLoggerOf(chatty.logger, 'DEBUG').debug('Activity started', { sdkComponent: 'worker' });
    sdkLoggerOf(chatty.logger, 'DEBUG').trace('poll', { sdkComponent: 'core' });
    expect(chatty.lines).toHaveLength(1);
    expect(JSON.parse(chatty.lines[0]!)).toMatchObject({ level: 'debug', msg: 'Activity started' });
  });
});
