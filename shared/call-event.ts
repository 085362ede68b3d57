/**
 * The bridge's one door for call events: whatever the source (call API, AMI, SIP, webhooks, test calls),
 * an event is cut to size and cleaned here before anything keeps or relays it, so the bridge never sends a
 * frame the extension's parser rejects, and never drops a call for an odd value:
 * - names lose control and bidi-override characters and are cut to a sane length;
 * - numbers, extensions and ids are cut to size (an over-long call id is shortened to a stable hash, so
 *   every event of that call still meets);
 * - a time far from the moment of receipt is taken as the receipt;
 * - a withheld caller keeps neither number nor name.
 */
import { isWithheldCallerId } from './caller-id';
import { CALL_LIMITS, type CallEventInput } from './protocol';

/** How far an event's own time may lie from its receipt (providers retry late; clocks drift a little). */
const MAX_PAST_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_FUTURE_MS = 5 * 60 * 1000;

// C0/C1 controls, DEL, zero-width and bidi embedding/override/isolate marks, line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Text for a person to read: no invisible or direction-changing characters, spaces folded, cut. */
export function cleanText(text: string, max: number): string {
  const cleaned = text.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  return cut(cleaned, max);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair.
  const end = /[\ud800-\udbff]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return text.slice(0, end).trimEnd();
}

/** Two 32-bit FNV-1a hashes with different offsets, as hex: a stable short name for an over-long id. */
function hash64(text: string): string {
  let first = 0x811c9dc5;
  let second = 0x01000193 ^ 0x5bd1e995;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x01000193) ^ (second >>> 15);
  }
  return (first >>> 0).toString(16).padStart(8, '0') + (second >>> 0).toString(16).padStart(8, '0');
}

export function cleanCallId(callId: string): string {
  const cleaned = callId.replace(INVISIBLE, '');
  const id = cleaned === '' ? `call-${hash64(callId)}` : cleaned;
  if (id.length <= CALL_LIMITS.callId) return id;
  return `${id.slice(0, CALL_LIMITS.callId - 18)}~${hash64(id)}`;
}

function optional(value: string | undefined, max: number, clean = cleanText): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = clean(value, max);
  return cleaned === '' ? undefined : cleaned;
}

/** Numbers and extensions: invisible characters removed (the number's own spaces and dashes stay), cut. */
function cleanNumber(text: string, max: number): string {
  return cut(text.replace(INVISIBLE, '').trim(), max);
}

export function normaliseCallEvent(event: CallEventInput, receivedAt: number): CallEventInput {
  // An empty caller (an outbound call's own side, a provider that left it out) is not a withheld one.
  const withheld = event.withheld === true || (event.from.trim() !== '' && isWithheldCallerId(event.from));
  const clean: CallEventInput = {
    callId: cleanCallId(event.callId),
    state: event.state,
    from: withheld ? 'anonymous' : cleanNumber(event.from, CALL_LIMITS.number),
  };
  const fromName = withheld ? undefined : optional(event.fromName, CALL_LIMITS.name);
  const to = optional(event.to, CALL_LIMITS.number, cleanNumber);
  const extension = optional(event.extension, CALL_LIMITS.extension, cleanNumber);
  const answeredBy = optional(event.answeredBy, CALL_LIMITS.extension, cleanNumber);
  const forwardedFrom = optional(event.forwardedFrom, CALL_LIMITS.number, cleanNumber);
  if (fromName !== undefined) clean.fromName = fromName;
  if (to !== undefined) clean.to = to;
  if (extension !== undefined) clean.extension = extension;
  if (event.direction !== undefined) clean.direction = event.direction;
  if (answeredBy !== undefined) clean.answeredBy = answeredBy;
  if (forwardedFrom !== undefined) clean.forwardedFrom = forwardedFrom;
  if (withheld) clean.withheld = true;
  if (event.endApproximate) clean.endApproximate = true;
  const at = event.at;
  if (
    at !== undefined &&
    Number.isFinite(at) &&
    at >= receivedAt - MAX_PAST_MS &&
    at <= receivedAt + MAX_FUTURE_MS
  )
    clean.at = Math.round(at);
  return clean;
}
