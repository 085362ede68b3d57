/**
 * The one place that understands phone numbers. A raw caller id from a PBX or a number typed on a card
 * becomes a canonical form plus a small set of match keys; two numbers match when their keys meet.
 *
 *   e:+972541234567  E.164, the exact key
 *   n:541234567      national significant number (same subscriber, country unknown or different)
 *   t:1234567        the last 7 digits (a last resort: shown as a "possible match")
 *   x:183            an internal extension
 */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { callerIdUser, isWithheldCallerId } from './caller-id';
import { asciiDigits } from './text';

export type PhoneKind = 'number' | 'internal' | 'withheld' | 'unparsed';
export type MatchConfidence = 'exact' | 'national' | 'suffix';

export interface ParsedPhone {
  /** What the PBX or the user gave, untouched. */
  raw: string;
  kind: PhoneKind;
  e164?: string;
  country?: string;
  /** How a person in the default country would write it (international form for foreign numbers). */
  display: string;
  keys: string[];
}

export interface PhoneOptions {
  defaultCountry: string;
  /** Digits a PBX puts before outside numbers (e.g. "9" or "0"), removed when the rest is a number. */
  outsideLinePrefix?: string;
}

/** Internal extensions and short service numbers are at most this many digits. */
const MAX_EXTENSION_DIGITS = 6;
const TAIL_DIGITS = 7;

export function isCountryCode(value: string): value is CountryCode {
  return isSupportedCountry(value as CountryCode);
}

function parseAs(candidate: string, country: CountryCode | undefined) {
  const parsed = parsePhoneNumberFromString(candidate, country);
  return parsed?.isValid() ? parsed : undefined;
}

export function parsePhone(raw: string, options: PhoneOptions): ParsedPhone {
  // Arabic-Indic and Persian digits are digits ("٠٥٤١٢٣٤٥٦٧" is 0541234567).
  const cleaned = callerIdUser(asciiDigits(raw).trim()).replace(/^<|>$/g, '').trim();
  if (isWithheldCallerId(cleaned)) return { raw, kind: 'withheld', display: '', keys: [] };
  const plus = /^\s*\+/.test(cleaned);
  const digits = cleaned.replace(/\D/g, '');
  if (!plus && digits.length <= MAX_EXTENSION_DIGITS) {
    return { raw, kind: 'internal', display: digits, keys: [`x:${digits}`] };
  }

  const country = isCountryCode(options.defaultCountry) ? options.defaultCountry : undefined;
  const prefix = options.outsideLinePrefix;
  const bodies =
    prefix && !plus && digits.startsWith(prefix) && digits.length - prefix.length > MAX_EXTENSION_DIGITS
      ? [digits.slice(prefix.length), digits]
      : [digits];

  for (const body of bodies) {
    const candidates: Array<[string, CountryCode | undefined]> = plus
      ? [[`+${body}`, undefined]]
      : body.startsWith('00')
        ? [[`+${body.slice(2)}`, undefined]]
        : [
            [body, country],
            // "972541234567": the country code without its plus.
            [`+${body}`, undefined],
          ];
    for (const [candidate, asCountry] of candidates) {
      const parsed = parseAs(candidate, asCountry);
      if (!parsed) continue;
      const national = parsed.nationalNumber;
      const keys = [`e:${parsed.number}`, `n:${national}`];
      if (national.length > TAIL_DIGITS) keys.push(`t:${national.slice(-TAIL_DIGITS)}`);
      const display = parsed.country === country ? parsed.formatNational() : parsed.formatInternational();
      return { raw, kind: 'number', e164: parsed.number, country: parsed.country, display, keys };
    }
  }

  // Not a valid number anywhere: still matchable digit for digit against the same raw digits.
  const significant = digits.replace(/^0+/, '');
  const keys = [`n:${significant}`];
  if (significant.length > TAIL_DIGITS) keys.push(`t:${significant.slice(-TAIL_DIGITS)}`);
  return { raw, kind: 'unparsed', display: plus ? `+${digits}` : digits, keys };
}

/**
 * How sure a match on this one key is: E.164 and extensions exact, the last digits a suffix guess, anything
 * else (national digits, the import's own digit keys) national.
 */
export function keyConfidence(key: string): MatchConfidence {
  if (key.startsWith('e:') || key.startsWith('x:')) return 'exact';
  return key.startsWith('t:') ? 'suffix' : 'national';
}

/** The digits of a key (`e:+972541234567` → `+972541234567`, `n:541234567` → `541234567`). */
export function keyDigits(key: string): string {
  return key.slice(2);
}

/** Keys strong enough to attach an unknown caller's calls to a card without asking (no suffix guesses). */
export function strongKeys(keys: readonly string[]): string[] {
  return keys.filter((key) => keyConfidence(key) !== 'suffix');
}
