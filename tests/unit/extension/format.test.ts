import { describe, expect, it } from 'vitest';
import { formatDuration, relativeTime } from '../../../extension/ui/format';

describe("durations and relative times in the user's locale", () => {
  it('a call of 3:12 in every language, with its own digits', () => {
    expect(formatDuration(192, 'en')).toBe('3:12');
    expect(formatDuration(192, 'he')).toBe('3:12');
    expect(formatDuration(192, 'ru')).toBe('3:12');
    const arabic = new Intl.NumberFormat('ar', { useGrouping: false });
    const arabic2 = new Intl.NumberFormat('ar', { minimumIntegerDigits: 2 });
    expect(formatDuration(192, 'ar')).toBe(`${arabic.format(3)}:${arabic2.format(12)}`);
    expect(formatDuration(3725, 'en')).toBe('1:02:05');
    expect(formatDuration(5, 'en')).toBe('0:05');
  });

  it('"2 days ago" through Intl in each language', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    const twoDays = now - 2 * 86_400_000;
    for (const locale of ['en', 'he', 'ar', 'ru', 'el']) {
      expect(relativeTime(twoDays, now, locale)).toBe(
        new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-2, 'day'),
      );
    }
    expect(relativeTime(twoDays, now, 'ru')).toBe('позавчера');
  });
});
