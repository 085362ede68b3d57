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
