/** A small leveled logger on stderr. Secrets are scrubbed by the redactor the core installs. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

let threshold: LogLevel = 'info';
let redact: (line: string) => string = (line) => line;

export function configureLog(options: { level?: LogLevel; redact?: (line: string) => string }): void {
  if (options.level) threshold = options.level;
  if (options.redact) redact = options.redact;
}

function write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] > ORDER[threshold]) return;
  const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
  process.stderr.write(redact(`${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}`) + '\n');
}

export const log = {
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
};
