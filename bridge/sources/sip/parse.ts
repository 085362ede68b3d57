/**
 * SIP messages (RFC 3261) as far as a passive ring-group member needs them: start line, headers (compact
 * forms and folded lines included), name-addr values. Pure; a malformed datagram throws SipParseError
 * with the reason.
 */

export class SipParseError extends Error {}

export interface SipMessage {
  kind: 'request' | 'response';
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  /** Lower-case full header names → values in order (a header may repeat, e.g. Via). */
  headers: Map<string, string[]>;
  body: string;
}

const COMPACT: Record<string, string> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
};

const MAX_DATAGRAM = 64 * 1024;

export function parseSip(data: Buffer | string): SipMessage {
  if (data.length > MAX_DATAGRAM) throw new SipParseError(`message of ${data.length} bytes is too large`);
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
  const lines = head.split(/\r?\n/);
  const start = lines.shift()?.trim() ?? '';
  if (start === '') throw new SipParseError('empty message');
  const message: SipMessage = { kind: 'request', headers: new Map(), body };
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (response) {
    message.kind = 'response';
    message.status = Number(response[1]);
    message.reason = response[2];
  } else if (request) {
    message.method = request[1];
    message.uri = request[2];
  } else {
    throw new SipParseError(`not a SIP start line: "${start.slice(0, 60)}"`);
  }
  let last: string | undefined;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      // A folded line continues the previous header's last value.
      const values = message.headers.get(last)!;
      values[values.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line: "${line.slice(0, 60)}"`);
    const raw = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT[raw] ?? raw;
    const value = line.slice(colon + 1).trim();
    // Via and a few others may carry several comma-separated values on one line.
    const values = name === 'via' ? value.split(/,(?=\s*SIP\/)/i).map((item) => item.trim()) : [value];
    message.headers.set(name, [...(message.headers.get(name) ?? []), ...values]);
    last = name;
  }
  for (const required of ['call-id', 'cseq', 'from', 'to', 'via']) {
    if (!message.headers.get(required)?.[0]) throw new SipParseError(`missing ${required} header`);
  }
  return message;
}

export function header(message: SipMessage, name: string): string | undefined {
  return message.headers.get(name.toLowerCase())?.[0];
}

export interface NameAddr {
  display?: string;
  uri: string;
  /** The user part of a sip:/sips: URI, or the number of a tel: URI. */
  user?: string;
  params: Record<string, string>;
}

/**
 * `"Alice" <sip:+4930123@carrier;user=phone>;tag=abc` → display, uri, user, header params. Read by index,
 * not by one backtracking pattern: a display name of 60,000 spaces took seconds with a regex.
 */
export function parseNameAddr(value: string): NameAddr {
  let display: string | undefined;
  let uri: string;
  let rest: string;
  const text = value.trim();
  let open = -1;
  let displayText = '';
  if (text.startsWith('"')) {
    // A quoted display name, with \" and \\ escapes.
    let index = 1;
    while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    displayText = text.slice(1, index).replace(/\\(.)/g, '$1');
    open = text.indexOf('<', index + 1);
  } else {
    open = text.indexOf('<');
    if (open >= 0) displayText = text.slice(0, open);
  }
  const close = open >= 0 ? text.indexOf('>', open + 1) : -1;
  if (open >= 0 && close > open) {
    display = displayText.trim() || undefined;
    uri = text.slice(open + 1, close).trim();
    rest = text.slice(close + 1);
  } else {
    const semicolon = text.indexOf(';');
    uri = (semicolon < 0 ? text : text.slice(0, semicolon)).trim();
    rest = semicolon < 0 ? '' : text.slice(semicolon);
  }
  const params: Record<string, string> = {};
  for (const part of rest.split(';').slice(1)) {
    const [key, ...val] = part.split('=');
    if (key?.trim()) params[key.trim().toLowerCase()] = val.join('=').trim();
  }
  return { display, uri, user: uriUser(uri), params };
}

export function uriUser(uri: string): string | undefined {
  const sip = /^sips?:([^@;?]+)@/i.exec(uri);
  if (sip) return decodeUser(sip[1]!);
  const tel = /^tel:([^;?]+)/i.exec(uri);
  return tel ? decodeUser(tel[1]!) : undefined;
}

/** Percent-decoding that survives a stray "%" (a malformed URI is not a reason to drop the call). */
function decodeUser(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** "1 INVITE" → { seq: 1, method: 'INVITE' } */
export function parseCSeq(value: string): { seq: number; method: string } {
  const match = /^(\d+)\s+([A-Z]+)$/i.exec(value.trim());
  if (!match) throw new SipParseError(`malformed CSeq "${value}"`);
  return { seq: Number(match[1]), method: match[2]!.toUpperCase() };
}
