/**
 * Whether a caller id says "no number" (withheld, anonymous, restricted…). Tiny and dependency-free: the
 * bridge's door, the call facts and the phone parser all ask it.
 */
import type { CallSnapshot } from './protocol';

const WITHHELD = new Set([
  'anonymous',
  'unknown',
  'restricted',
  'private',
  'withheld',
  'unavailable',
  'blocked',
  'no caller id',
  'nocallerid',
]);

/** The user part of a sip:/sips:/tel: URI, or the text itself. */

export function callerIdUser(raw: string): string {
  const uri = /^(?:sips?|tel):([^@;>]+)/i.exec(raw);
  if (!uri) return raw;
  try {
    return decodeURIComponent(uri[1]!);
  } catch {
    return uri[1]!;
  }
}

/** "", "anonymous", "sip:anonymous@anonymous.invalid", "Restricted call", "000": no number to show. */
export function isWithheldCallerId(raw: string): boolean {
  const cleaned = callerIdUser(raw.trim()).replace(/^<|>$/g, '').trim();
  if (WITHHELD.has(cleaned.toLowerCase())) return true;
  const digits = cleaned.replace(/\D/g, '');
  if (digits.length === 0 || /^0+$/.test(digits)) return true;
  // "Restricted call", "Anonymous (1)": words from a PBX, not a number.
  return /[a-z]{3,}/i.test(cleaned.replace(/\b(ext|x)\b/gi, ''));
}

/** The customer's number of a call: the caller on inbound (and internal) calls, the called number on outbound ones. */
export function customerNumber(call: Pick<CallSnapshot, 'direction' | 'from' | 'to'>): string {
  return call.direction === 'outbound' ? (call.to ?? '') : call.from;
}
