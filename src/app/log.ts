import type { Logger as SdkLogger, LogLevel as SdkLogLevel, LogMetadata } from '@temporalio/worker';

/**
 * The processes' log: one line per event on standard error. `json` (production, read by a log
 * collector): one object per line with `time` (ISO), `level`, `msg` and the event's fields;
 * `text` (a developer's terminal): the message and its fields as `name=value`. Fields are ids
 * and figures only: names and e-mail addresses stay out of logs (the audit log holds who did
 * what, and can be pseudonymised; a log shipped elsewhere cannot).
 */
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface AppLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** For the code that takes a `log(line)` function (migrations, the prune, the stop sequence). */
  line: (line: string) => void;
  readonly format: LogFormat;
}

/** The keys every JSON line starts with; a field of the same name cannot replace them. */
const RESERVED = new Set(['time', 'level', 'msg']);

/** An Error as data (its own message and stack), a bigint as a string; everything else as is. */
function plain(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      ...(value.stack && { stack: value.stack }),
      ...(value.cause !== undefined && { cause: value.cause }),
    };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value, plain) ?? 'null';
  } catch {
    // A circular structure: its string form rather than no line at all.
    return JSON.stringify(String(value));
  }
}

/** A field in text: a string as it is, an error as its stack (a terminal shows its lines), else JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  return stringify(value);
}

/** One log line, without its newline. */
export function formatLine(
  format: LogFormat,
  level: Level,
  msg: string,
  fields: LogFields = {},
  now = new Date(),
): string {
  const own = Object.entries(fields).filter(([key, value]) => value !== undefined && !RESERVED.has(key));
  if (format === 'json') {
    const parts = [`"time":${stringify(now.toISOString())}`, `"level":"${level}"`, `"msg":${stringify(msg)}`];
    for (const [key, value] of own) parts.push(`${stringify(key)}:${stringify(value)}`);
    return `{${parts.join(',')}}`;
  }
  // Text: as the processes always wrote (the message alone at info), a level tag only where it matters.
  const tag = level === 'info' ? '' : `[${level.toUpperCase()}] `;
  const tail = own.map(([key, value]) => ` ${key}=${textOf(value)}`).join('');
  return `${tag}${msg}${tail}`;
}

export function createLogger(options: {
  format: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
}): AppLogger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const at =
    (level: Level) =>
    (msg: string, fields?: LogFields): void =>
      write(`${formatLine(options.format, level, msg, fields, now())}\n`);
  const info = at('info');
  return {
    debug: at('debug'),
    info,
    warn: at('warn'),
    error: at('error'),
    line: (line) => info(line),
    format: options.format,
  };
}

/**
 * LOG_FORMAT as far as it is valid, else the entry point's default: the logger exists before the
 * configuration is validated, so that a configuration error is itself written in the format
 * asked for (loadConfig reports the bad value).
 */
export function logFormatOf(env: NodeJS.ProcessEnv, fallback: LogFormat): LogFormat {
  const value = env.LOG_FORMAT;
  return LOG_FORMATS.find((format) => format === value) ?? fallback;
}

const SDK_LEVELS: Record<SdkLogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * The SDK's metadata says which workflow (workflowId, runId, workflowType) or activity
 * (activityType, activityId, attempt) a line is about; kept under these names. The task token is
 * left out: long, and nothing to search by.
 */
const SDK_RENAMED: Record<string, string> = { sdkComponent: 'component', workflowRunId: 'runId' };
const SDK_LEFT_OUT = new Set(['taskToken', 'isLocal', 'activityRunId']);

/**
 * The Temporal runtime's logger writing into ours. `level` (LOG_LEVEL, WARN unless set) filters
 * the SDK's own lines (worker and core); what Årshjul's activities and workflows log themselves
 * (component `activity` or `workflow`) is written from INFO up, like the processes' other lines.
 */
export function sdkLoggerOf(logger: AppLogger, level: SdkLogLevel): SdkLogger {
  const log = (sdkLevel: SdkLogLevel, message: string, meta: LogMetadata = {}): void => {
    const component = meta.sdkComponent as unknown;
    const ours = component === 'activity' || component === 'workflow';
    if (SDK_LEVELS[sdkLevel] < SDK_LEVELS[ours ? 'INFO' : level]) return;
    const fields: LogFields = {};
    for (const [key, value] of Object.entries(meta)) {
      if (!SDK_LEFT_OUT.has(key)) fields[SDK_RENAMED[key] ?? key] = value;
    }
    const target =
      sdkLevel === 'ERROR'
        ? logger.error
        : sdkLevel === 'WARN'
          ? logger.warn
          : sdkLevel === 'INFO'
            ? logger.info
            : logger.debug;
    target(message, fields);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
