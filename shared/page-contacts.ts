/**
 * Phone numbers and email addresses in a web page's text. libphonenumber-js's own `findNumbers` was tried
 * first and matched dates ("2024-11-23, 23"), glued neighbours ("(408) 714-1489, 054123456") and version
 * strings (see tests/unit/shared/page-contacts.test.ts), so candidates are cut here, by shape and by the
 * words before them, and each one is then validated by libphonenumber-js through parsePhone.
 */
import { Metadata } from 'libphonenumber-js';
import { parsePhoneNumberFromString as parseFullMetadata } from 'libphonenumber-js/max';
import { isCountryCode, type PhoneOptions, parsePhone, strongKeys } from './phone';
import { asciiDigits } from './text';

export interface FoundContact {
  kind: 'phone' | 'email';
  /** Offsets in the text: [start, end). */
  start: number;
  end: number;
  /** The text as written. */
  text: string;
  /** E.164 for a phone, the lowercased address for an email. */
  value: string;
  /** Match keys for a phone (exact and national only: a page chip never guesses by suffix). */
  keys: string[];
  display: string;
}

/**
 * Digit groups joined by single separators, optionally led by + or 00 and with an area code in
 * parentheses. Not preceded or followed by a letter, digit or joining punctuation, so parts of longer
 * tokens (IBANs, serials, URLs) are never cut out.
 */
const PHONE_SHAPE =
  /(?<![\p{L}\p{N}+\-./,:#@_])(?:\+|00)?\(?\d{1,4}\)?(?:[ \u00A0.-]?\(?\d{1,6}\)?){1,6}(?![\p{L}\p{N}@_]|[.,-]\d|\/\d)/gu;
const EMAIL_SHAPE =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

export { MIGHT_HOLD_CONTACT } from './contact-hint';

/** Words right before a digit run that make it something other than a phone number. */
const NOT_A_PHONE_WORDS = [
  'order',
  'invoice',
  'inv',
  'ref',
  'reference',
  'iban',
  'account',
  'acct',
  'a/c',
  'sku',
  'isbn',
  'issn',
  'serial',
  'tracking',
  'version',
  'ver',
  'build',
  'release',
  'id',
  'no',
  'nr',
  'v',
  'הזמנה',
  'חשבונית',
  'אסמכתא',
  'חשבון',
  'ת\\.?ז',
  'ח\\.?פ',
  'παραγγελία',
  'παραγγελίας',
  'τιμολόγιο',
  'τιμολογίου',
  'λογαριασμός',
  'λογαριασμού',
  'αρ',
  'αφμ',
  // Russian: order, invoice/account, date, price, tax and article numbers
  'заказ',
  'заказа',
  'счет',
  'счёт',
  'счета',
  'дата',
  'цена',
  'стоимость',
  'сумма',
  'инн',
  'артикул',
  '№',
  // Arabic: order, invoice, date, price, amount, account
  'طلب',
  'الطلب',
  'فاتورة',
  'الفاتورة',
  'تاريخ',
  'التاريخ',
  'سعر',
  'السعر',
  'المبلغ',
  'حساب',
  'الحساب',
];
const NOT_A_PHONE_BEFORE = new RegExp(
  `(?:(?:^|[^\\p{L}])(?:${NOT_A_PHONE_WORDS.join('|')})|[#№$€£₪¥])\\.?\\s*[:.#]?\\s*$`,
  'iu',
);
/** Money after the digits: "1 299 ₪", "5551234 NIS". */
const CURRENCY_AFTER = /^\s?(?:[$€£₪¥₽]|nis|ils|eur|usd|gbp|rub|руб|ש"ח|ש״ח|ευρώ|شيكل|دولار|يورو)/iu;
/** An IBAN's country and check digits right before: "IL62 0108 …". */
const IBAN_BEFORE = /[A-Z]{2}\d{2}[ \u00A0]?$/;
/** Dates and times written with the separators phone numbers also use. */
const DATE_LIKE = [
  /^\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)/,
  /^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}(?!\d)/,
  /^\d{4} \d{1,2} \d{1,2}$/,
  /^(?:19|20)\d{2}[-./]\d{1,6}$/,
];
/** Countries whose numbers are written without a trunk 0, so a bare digit run may be a number there. */
const NO_TRUNK_PREFIX = new Set(['GR', 'IT', 'ES', 'PT', 'DK', 'NO']);
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;
const CONTEXT = 24;

function looksLikePhone(candidate: string, before: string, after: string, options: PhoneOptions): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return false;
  if (DATE_LIKE.some((shape) => shape.test(candidate))) return false;
  if (NOT_A_PHONE_BEFORE.test(before) || IBAN_BEFORE.test(before) || CURRENCY_AFTER.test(after)) return false;
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  // Version strings and IP-like runs: dotted groups with a one-digit part ("10.2.3.4567").
  const dotted = candidate.split('.');
  if (dotted.length > 2 && dotted.some((part) => part.replace(/\D/g, '').length === 1)) return false;
  const bare = /^\d+$/.test(candidate);
  // A bare digit run is usually an id; it counts as a number only in its national written form.
  if (bare && !candidate.startsWith('0') && !NO_TRUNK_PREFIX.has(options.defaultCountry)) return false;
  // Unbalanced parentheses: the shape took part of something else.
  if ((candidate.match(/\(/g)?.length ?? 0) !== (candidate.match(/\)/g)?.length ?? 0)) return false;
  return international || digits.length >= MIN_DIGITS;
}

/** A trailing separator or a lone closing parenthesis is not part of the number. */
function trimCandidate(text: string, start: number): [string, number] {
  let candidate = text;
  let offset = start;
  while (/^[\s.(-]/.test(candidate) && !/^\(\d/.test(candidate)) {
    candidate = candidate.slice(1);
    offset++;
  }
  candidate = candidate.replace(/[\s.-]+$/, '');
  return [candidate, offset];
}

const trunkPrefixes = new Metadata();

/**
 * A national number written without the trunk 0 its country puts before national numbers ("1-800-555-0199"
 * read as Israeli): unusual enough to be checked against the full metadata. Countries without a trunk 0
 * (Greece, Italy, the US with its 1) are not: their numbers are always written so.
 */
function writtenWithoutTrunkZero(text: string, country: string | undefined): boolean {
  if (!country || /^\s*(?:\+|00)/.test(text) || /^\D*0/.test(text) || !isCountryCode(country)) return false;
  trunkPrefixes.selectNumberingPlan(country);
  // The method is there at run time; libphonenumber-js's types leave it out.
  const plan = trunkPrefixes.numberingPlan as unknown as { nationalPrefix(): string | number | undefined };
  return plan?.nationalPrefix() === '0';
}

/**
 * A written number as a found contact, when libphonenumber-js says it is a valid one (of `country`, if
 * given). A national number written without a leading 0 ("1-800-555-0199" under an Israeli default) must be
 * valid by the full metadata too: the small one Kesher matches calls with takes any 1 and 10 digits for an
 * Israeli service number. (The full metadata is not used everywhere: it refuses unallocated ranges, which
 * would drop customers' numbers the day a carrier opens a new one.)
 */
export function phoneContact(
  text: string,
  options: PhoneOptions,
  start = 0,
  country?: string,
): FoundContact | null {
  const parsed = parsePhone(text, options);
  if (parsed.kind !== 'number' || !parsed.e164) return null;
  if (country && parsed.country !== country) return null;
  if (writtenWithoutTrunkZero(text, parsed.country) && !parseFullMetadata(parsed.e164)?.isValid())
    return null;
  return {
    kind: 'phone',
    start,
    end: start + text.length,
    text,
    value: parsed.e164,
    keys: strongKeys(parsed.keys),
    display: parsed.display,
  };
}

/** How page text is read for chips: numbers of the page's own country count too (see phoneAt). */
export interface PageTextOptions extends PhoneOptions {
  /** Only numbers of the default country, or of `pageCountry`, unless written with + or 00. */
  strictCountry?: boolean;
  /** The country the page says it is in (its top-level domain). */
  pageCountry?: string;
}

function phoneAt(
  text: string,
  candidate: string,
  start: number,
  options: PageTextOptions,
): FoundContact | null {
  const end = start + candidate.length;
  const before = text.slice(Math.max(0, start - CONTEXT), start);
  const after = text.slice(end, end + CONTEXT);
  if (!looksLikePhone(candidate, before, after, options)) return null;
  if (!options.strictCountry || /^(?:\+|00)/.test(candidate)) return phoneContact(candidate, options, start);
  // "© 2026 2428392, Inc." is no Egyptian number on an Israeli page: without a country prefix a number is
  // one of the default country's, or of the country the page is in.
  const local = phoneContact(candidate, options, start, options.defaultCountry);
  if (local || !options.pageCountry || options.pageCountry === options.defaultCountry) return local;
  return phoneContact(
    candidate,
    { ...options, defaultCountry: options.pageCountry },
    start,
    options.pageCountry,
  );
}

/** The country a site's top-level domain names ("acme.co.il" → IL, "shop.co.uk" → GB); none for .com. */
export function countryOfHost(hostname: string): string | undefined {
  const tld = hostname.toLowerCase().split('.').pop() ?? '';
  if (!/^[a-z]{2}$/.test(tld)) return undefined;
  const country = tld === 'uk' ? 'GB' : tld.toUpperCase();
  return isCountryCode(country) ? country : undefined;
}

/**
 * The country a page says it is in: the region of its language ("en-US", "he-IL"), else its site's
 * top-level domain. Undefined when it says none (an English .com page).
 */
export function countryOfPage(url: string, lang?: string): string | undefined {
  const region = /^[a-z]{2,3}[-_]([a-z]{2})(?:$|[-_])/i
    .exec((lang ?? '').slice(0, 35).trim())?.[1]
    ?.toUpperCase();
  if (region && isCountryCode(region)) return region;
  try {
    return countryOfHost(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

export function findContactsInText(original: string, options: PageTextOptions): FoundContact[] {
  // Arabic-Indic and Persian digits read as digits; one code unit each, so every offset stays true.
  const text = asciiDigits(original);
  const found: FoundContact[] = [];
  for (const match of text.matchAll(EMAIL_SHAPE)) {
    const address = match[0].replace(/\.+$/, '');
    const start = match.index ?? 0;
    found.push({
      kind: 'email',
      start,
      end: start + address.length,
      text: address,
      value: address.toLowerCase(),
      keys: [],
      display: address,
    });
  }
  const taken = (start: number, end: number) => found.some((item) => start < item.end && end > item.start);
  for (const match of text.matchAll(PHONE_SHAPE)) {
    let [candidate, start] = trimCandidate(match[0], match.index ?? 0);
    // The shape is greedy: "210 123 4567 1.2.3" fails as a whole, its first three groups do not.
    const attempts = candidate.replace(/\D/g, '').length > MAX_DIGITS ? 1 : 6;
    for (let attempt = 0; attempt < attempts && candidate.length > 0; attempt++) {
      const phone = phoneAt(text, candidate, start, options);
      if (phone) {
        if (!taken(phone.start, phone.end)) found.push(phone);
        break;
      }
      const shorter = candidate.replace(/[ \u00A0.-]?\(?\d+\)?$/, '');
      [candidate, start] = trimCandidate(shorter, start);
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A `tel:` link's number, when it is one. */
export function phoneFromTelLink(href: string, options: PhoneOptions): FoundContact | null {
  return phoneContact(decodeURIComponent(href.replace(/^tel:/i, '').split(/[;?]/)[0] ?? ''), options);
}

/** A `mailto:` link's first address, when it has one. */
export function emailFromMailto(href: string): FoundContact | null {
  const address = decodeURIComponent(href.replace(/^mailto:/i, '').split(/[?,]/)[0] ?? '').trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) return null;
  return {
    kind: 'email',
    start: 0,
    end: 0,
    text: address,
    value: address.toLowerCase(),
    keys: [],
    display: address,
  };
}
