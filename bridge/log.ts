/**
 * Text from the network (caller names, SIP headers, AMI fields, error messages quoting them) may carry
 * control characters, terminal escapes or bidi overrides. Log lines show them escaped, never raw, so a
 * caller name cannot forge a log line or repaint the admin's terminal.
 */

// C0 and C1 controls, DEL, and the bidi embedding/override/isolate characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function safeLogText(text: string, max = 2000): string {
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return cut.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type LogLevel = 'info' | 'warn';
/** Machine-readable facts of a line: `event` names what happened ("pop-shown"), the rest are its figures. */
export type LogFields = { event?: string } & Record<string, string | number | boolean | undefined>;
export type Log = (level: LogLevel, message: string, fields?: LogFields) => void;
export type LogFormat = 'json' | 'text';

/**
 * JSON lines unless a person is watching: on a terminal the text form, elsewhere (systemd's journal, a pipe,
 * the tests, the benchmark) one JSON object per line. KESHER_LOG=json|text decides instead.
 */
export function logFormatOf(
  env: NodeJS.ProcessEnv = process.env,
  tty = Boolean(process.stderr.isTTY),
): LogFormat {
  if (env.KESHER_LOG === 'json' || env.KESHER_LOG === 'text') return env.KESHER_LOG;
  return tty ? 'text' : 'json';
}

export function formatLogLine(
  level: LogLevel,
  message: string,
  fields: LogFields | undefined,
  format: LogFormat,
  now = new Date(),
): string {
  const safe: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value !== undefined) safe[key] = typeof value === 'string' ? safeLogText(value, 500) : value;
  }
  if (format === 'text') return `${now.toISOString()} ${level} ${safeLogText(message)}`;
  return JSON.stringify({ at: now.toISOString(), level, msg: safeLogText(message), ...safe });
}

/** Log lines on stderr, with no raw control characters in either form. */
export function stderrLogger(format: LogFormat = logFormatOf()): Log {
  return (level, message, fields) =>
    void process.stderr.write(`${formatLogLine(level, message, fields, format)}\n`);
}
