/**
 * The interface in English, Hebrew (RTL), Arabic (RTL), Russian and Greek. The language follows the browser
 * unless chosen in settings. Every locale has every key (a unit test fails otherwise); {name} placeholders are
 * filled in, numbers written the locale's way. A message with a count is a set of plural forms chosen by
 * `Intl.PluralRules` (English one/other, Hebrew one/two/other, Russian one/few/many/other, Arabic all six);
 * a unit test fails when a locale lacks a form its language needs.
 */
import { en } from '../locales/en';

/** Plural forms by `Intl.PluralRules` category; `{count}` selects. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Message = string | Plural;
export type MessageKey = keyof typeof en;
export type Messages = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : Plural };
export type Locale = 'en' | 'he' | 'ar' | 'ru' | 'el';
export const LOCALES: readonly Locale[] = ['en', 'he', 'ar', 'ru', 'el'];
/**
 * The messages of each registered locale. English is always here; the others are registered by
 * `locales/all.ts` (the worker, the app pages, the content scripts) or, in the pop window, from the view the
 * worker sends (the pop page bundles English only: it is the hot path, and every language makes it larger).
 */
export const MESSAGES: Partial<Record<Locale, Messages>> = { en };

export function registerMessages(locale: Locale, messages: Messages): void {
  MESSAGES[locale] = messages;
}
/** Each language's own name, for the language setting. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: 'English',
  he: 'עברית',
  ar: 'العربية',
  ru: 'Русский',
  el: 'Ελληνικά',
};

let current: Locale = 'en';

export function resolveLocale(setting: string | undefined, browserLanguages: readonly string[]): Locale {
  if (setting && (LOCALES as readonly string[]).includes(setting)) return setting as Locale;
  for (const language of browserLanguages) {
    const base = language.toLowerCase().split('-')[0];
    if (base === 'iw') return 'he';
    if ((LOCALES as readonly string[]).includes(base ?? '')) return base as Locale;
  }
  return 'en';
}

/** `applyToDocument` is false in content scripts: the page's own lang and dir are not ours to change. */
export function setLocale(locale: Locale, applyToDocument = true): void {
  current = locale;
  if (applyToDocument && typeof document !== 'undefined') {
    document.documentElement.lang = locale;
    document.documentElement.dir = dirOf(locale);
  }
}

export function locale(): Locale {
  return current;
}

export function dirOf(locale: Locale): 'rtl' | 'ltr' {
  return locale === 'he' || locale === 'ar' ? 'rtl' : 'ltr';
}

const pluralRules = new Map<Locale, Intl.PluralRules>();
const numberFormats = new Map<Locale, Intl.NumberFormat>();

function cached<T>(map: Map<Locale, T>, make: (locale: Locale) => T): T {
  let value = map.get(current);
  if (!value) {
    value = make(current);
    map.set(current, value);
  }
  return value;
}

/**
 * The office's own words for some messages (a deal stage it renamed: "Quote sent" for "Proposal"), shown
 * as the office wrote them whatever the language. Set by each page from the office's settings.
 */
let officeWords: Partial<Record<MessageKey, string>> = {};

export function setOfficeWords(words: Partial<Record<MessageKey, string>>): void {
  officeWords = words;
}

/** A message as the language has it, whatever the office calls it (settings show it beside the office's word). */
export function translated(key: MessageKey): string {
  const message: Message = MESSAGES[current]?.[key] ?? en[key];
  return typeof message === 'string' ? message : message.other;
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const message: Message = officeWords[key] ?? MESSAGES[current]?.[key] ?? en[key];
  let template: string;
  if (typeof message === 'string') template = message;
  else {
    const count = Number(vars.count ?? 0);
    const category = cached(pluralRules, (locale) => new Intl.PluralRules(locale)).select(count);
    template = message[category] ?? message.other;
  }
  const numbers = cached(numberFormats, (locale) => new Intl.NumberFormat(locale));
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) return `{${name}}`;
    return typeof value === 'number' ? numbers.format(value) : String(value);
  });
}
