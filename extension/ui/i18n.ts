/**
 * The interface in English, Hebrew (RTL) and Greek. The language follows the browser unless chosen in
 * settings. Every locale has every key (a unit test fails otherwise); {name} placeholders are filled in.
 */
import { el } from '../locales/el';
import { en } from '../locales/en';
import { he } from '../locales/he';

export type MessageKey = keyof typeof en;
export type Locale = 'en' | 'he' | 'el';
export const LOCALES: readonly Locale[] = ['en', 'he', 'el'];
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, he, el };

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
  return locale === 'he' ? 'rtl' : 'ltr';
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = MESSAGES[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}
