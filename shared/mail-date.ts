import { asciiDigits } from './text';

/**
 * A message's date as a mail client shows it, in whatever language the client is set to: Gmail's
 * `span.g3[title]` is "Mon, Nov 23, 2026, 10:15 AM" in English, "יום ב׳, 23 בנוב׳ 2026, 10:15" in Hebrew,
 * "Δευ, 23 Νοε 2026, 10:15 π.μ." in Greek, "пн, 23 нояб. 2026 г., 10:15" in Russian, Arabic with its own
 * digits, "2026年11月23日(月) 10:15" in Japanese. Month names come from Intl for every language below, so no
 * table is typed by hand; the time is the viewer's local time, as the client shows it.
 */

/** Languages whose month names are recognised (Gmail's most used interface languages). */
const LOCALES = [
  'en',
  'he',
  'el',
  'ar',
  'ru',
  'uk',
  'de',
  'fr',
  'es',
  'it',
  'pt',
  'nl',
  'tr',
  'pl',
  'cs',
  'sv',
  'da',
  'nb',
  'fi',
  'hu',
  'ro',
  'bg',
  'sr',
  'hr',
  'fa',
  'id',
  'vi',
  'th',
  'hi',
];

/** Lower case, no accents or marks, no dots or geresh: "Νοε." → "νοε", "בנוב׳" → "בנוב". */
function fold(word: string): string {
  return word
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[.'"׳״’]/g, '');
}

const months = new Map<string, Map<string, number>>();

/**
 * One language's folded month names and abbreviations → month index (0–11), built when first asked (four
 * formatters: a content script's first look at Gmail must not build 29 languages' tables); a name two months
 * share is left out.
 */
function monthNames(locale: string): Map<string, number> {
  const known = months.get(locale);
  if (known) return known;
  const found = new Map<string, Set<number>>();
  const add = (name: string, month: number) => {
    const key = fold(name.trim());
    if (!key || /\d/.test(key)) return;
    if (!found.has(key)) found.set(key, new Set());
    found.get(key)!.add(month);
  };
  // Standalone ("ноябрь") and as in a date ("23 ноября"): both appear.
  const formats = (['long', 'short'] as const).flatMap((style) => [
    new Intl.DateTimeFormat(locale, { month: style, timeZone: 'UTC' }),
    new Intl.DateTimeFormat(locale, { day: 'numeric', month: style, timeZone: 'UTC' }),
  ]);
  for (let month = 0; month < 12; month++) {
    const date = new Date(Date.UTC(2026, month, 15, 12));
    for (const format of formats)
      for (const part of format.formatToParts(date)) if (part.type === 'month') add(part.value, month);
  }
  const names = new Map<string, number>();
  for (const [name, set] of found) if (set.size === 1) names.set(name, [...set][0]!);
  months.set(locale, names);
  return names;
}

function monthIn(names: Map<string, number>, key: string): number | undefined {
  if (key.length < 3) return names.get(key);
  const exact = names.get(key);
  if (exact !== undefined) return exact;
  // Hebrew writes "in November" as one word: "בנובמבר", "בנוב׳".
  if (/^ב[\u05D0-\u05EA]/.test(key)) {
    const hebrew = names.get(key.slice(1));
    if (hebrew !== undefined) return hebrew;
  }
  // An abbreviation not in Intl's list ("Sept", "нояб"): the one month whose name starts with it.
  let match: number | undefined;
  for (const [name, month] of names) {
    if (name.length > key.length && name.startsWith(key)) {
      if (match !== undefined && match !== month) return undefined;
      match = month;
    }
  }
  return match;
}

/** The month a word names in the first of these languages that knows it. */
function monthOf(word: string, languages: readonly string[]): number | undefined {
  const key = fold(word);
  if (!key) return undefined;
  for (const locale of languages) {
    const month = monthIn(monthNames(locale), key);
    if (month !== undefined) return month;
  }
  return undefined;
}

const AFTERNOON = /(?:^|[\s\d])(pm|p\.\s?m\.|μ\.?μ\.?|م|אחה"?״?צ|אחר הצהריים|午後|오후|下午)(?=$|[\s.,)])/iu;
const MORNING = /(?:^|[\s\d])(am|a\.\s?m\.|π\.?μ\.?|ص|לפנה"?״?צ|לפני הצהריים|午前|오전|上午)(?=$|[\s.,)])/iu;

/**
 * "Mon, Nov 23, 2026, 10:15 AM" (in any of the languages above) → ms since the epoch in the viewer's time
 * zone; undefined when the text holds no whole date. `preferred`: the languages to try first (the mail
 * client's own, e.g. the page's lang), so the usual date costs one language's table.
 */
export function parseMailDate(text: string, preferred: readonly string[] = []): number | undefined {
  const value = asciiDigits(text.normalize('NFC')).replace(/\u200f|\u200e|\u202f|\u00a0/g, ' ');
  let hours = 0;
  let minutes = 0;
  let rest = value;
  const time = /(?<![\d.:])(\d{1,2}):(\d{2})(?::\d{2})?(?![\d:])/.exec(value);
  if (time) {
    hours = Number(time[1]);
    minutes = Number(time[2]);
    rest = `${value.slice(0, time.index)} ${value.slice(time.index + time[0].length)}`;
    if (AFTERNOON.test(rest) && hours < 12) hours += 12;
    else if (MORNING.test(rest) && hours === 12) hours = 0;
  }
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  // Numeric forms: 2026年11月23日, 2026-11-23, 23.11.2026, 23/11/2026.
  const cjk = /(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})/.exec(rest);
  const iso = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/.exec(rest);
  const dmy = /(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})/.exec(rest);
  if (cjk || iso) {
    const [, y, m, d] = (cjk ?? iso)!;
    [year, month, day] = [Number(y), Number(m) - 1, Number(d)];
  } else if (dmy) {
    // Day first: how every interface language Gmail offers outside the US writes it.
    [year, month, day] = [Number(dmy[3]), Number(dmy[2]) - 1, Number(dmy[1])];
  } else {
    const yearMatch = /(?<!\d)(\d{4})(?!\d)/.exec(rest);
    if (!yearMatch) return undefined;
    year = Number(yearMatch[1]);
    const words = rest
      .replace(yearMatch[0], ' ')
      .split(/[\s,،()]+/)
      .filter(Boolean);
    const names: string[] = [];
    for (const word of words) {
      if (/^\d{1,2}\.?$/.test(word)) day ??= Number.parseInt(word, 10);
      else names.push(word.replace(/^\d+/, ''));
    }
    // The preferred languages first for every word; only then the others (each built only when needed).
    for (const languages of [preferred, LOCALES]) {
      for (const word of names) month ??= monthOf(word, languages);
      if (month !== undefined) break;
    }
  }
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (year < 1990 || month < 0 || month > 11 || day < 1 || day > 31 || hours > 23 || minutes > 59)
    return undefined;
  const at = new Date(year, month, day, hours, minutes).getTime();
  return new Date(at).getDate() === day ? at : undefined;
}

/**
 * Gmail's legacy message id (16 hex digits) begins with the time the message reached Gmail, in ms: a
 * fallback when the shown date cannot be read. Undefined when the id does not carry a plausible time.
 */
export function timeFromGmailId(id: string | undefined, now = Date.now()): number | undefined {
  if (!id || !/^[0-9a-f]{15,16}$/i.test(id)) return undefined;
  const at = Math.floor(Number.parseInt(id, 16) / 2 ** 20);
  return at > Date.UTC(2004, 0, 1) && at < now + 86_400_000 ? at : undefined;
}
