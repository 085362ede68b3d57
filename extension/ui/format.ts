/** Small formatting helpers shared by the pages (no libphonenumber here: pages get display strings). */
import { t } from './i18n';

const DAY = 24 * 60 * 60 * 1000;

export function relativeTime(at: number, now = Date.now(), locale?: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return format.format(0, 'second');
  if (abs < 45 * 60) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return format.format(Math.round(seconds / 86400), 'day');
  if (abs < 320 * 86400) return format.format(Math.round(seconds / (30 * 86400)), 'month');
  return format.format(Math.round(seconds / (365 * 86400)), 'year');
}

/** Whole calendar days between a moment and now (0 = today). */
export function daysAgo(at: number, now = Date.now()): number {
  const start = (ms: number) => {
    const date = new Date(ms);
    return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  };
  return Math.round((start(now) - start(at)) / DAY);
}

export function lastSpokeText(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return t('lastSpoke.never');
  const days = daysAgo(at, now);
  if (days <= 0) return t('lastSpoke.today');
  if (days === 1) return t('lastSpoke.yesterday');
  return t('lastSpoke.days', { count: days });
}

export function formatDate(at: number, locale?: string): string {
  return new Date(at).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

export function formatDateTime(at: number, locale?: string): string {
  return new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "3:12", with the locale's digits (Arabic: "٣:١٢"); an hour or more "1:02:05". */
export function formatDuration(seconds: number, locale?: string): string {
  const whole = Math.max(0, Math.round(seconds));
  const two = new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false });
  const one = new Intl.NumberFormat(locale, { useGrouping: false });
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0
    ? `${one.format(hours)}:${two.format(minutes)}:${two.format(rest)}`
    : `${one.format(minutes)}:${two.format(rest)}`;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  return letters.map((word) => [...word][0]?.toUpperCase() ?? '').join('');
}

/** A moment as a date input shows it: "2026-11-30" (local time; '' for none). The inverse of dateInputToMs. */
export function msToDateInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const date = new Date(ms);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "2026-11-30" from a date input → local midnight. */
export function dateInputToMs(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime();
}

/** "tomorrow", "today", "in 3 days", or the date beyond a week: when a task is due, as people say it. */
/**
 * Intl formatters, made once per locale and options: building one costs far more than using it, and a
 * board of hundreds of deals formats two values each.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (!formatter) {
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function dueWhen(due: number, now = Date.now(), locale?: string): string {
  const days = -daysAgo(due, now);
  if (Math.abs(days) <= 7)
    return cached(`rel:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })).format(
      days,
      'day',
    );
  return formatDate(due, locale);
}

/** "₪12,000": a deal's value in its currency, whole units, the locale's digits and grouping. */
export function formatMoney(value: number, currency: string, locale?: string): string {
  try {
    return cached(
      `money:${locale}:${currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0 }),
    ).format(value);
  } catch {
    return `${value} ${currency}`;
  }
}
