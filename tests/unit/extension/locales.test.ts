import { describe, expect, it } from 'vitest';
import { LOCALES, MESSAGES, resolveLocale, setLocale, t } from '../../../extension/ui/i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('locales', () => {
  it.each(LOCALES)('%s has every key, none empty, with the same placeholders', (locale) => {
    const english = MESSAGES.en;
    for (const key of Object.keys(english) as Array<keyof typeof english>) {
      expect(MESSAGES[locale][key], `${locale}: ${key}`).toBeTruthy();
      expect(placeholders(MESSAGES[locale][key]), `${locale}: ${key}`).toEqual(placeholders(english[key]));
    }
    expect(Object.keys(MESSAGES[locale]).sort()).toEqual(Object.keys(english).sort());
  });

  it.each([
    [undefined, ['he-IL', 'en'], 'he'],
    ['auto', ['iw'], 'he'],
    ['auto', ['el-GR'], 'el'],
    ['auto', ['fr-FR', 'de'], 'en'],
    ['el', ['he-IL'], 'el'],
  ] as const)('setting %s with browser %j → %s', (setting, languages, expected) => {
    expect(resolveLocale(setting, languages)).toBe(expected);
  });

  it('fills placeholders', () => {
    setLocale('he');
    expect(t('lastSpoke.days', { days: 3 })).toBe('דיברנו לפני 3 ימים');
    setLocale('en');
    expect(t('import.row', { row: 4, reason: 'x' })).toBe('Row 4: x');
  });
});
