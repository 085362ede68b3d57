import { describe, expect, it } from 'vitest';
import { ALL_MESSAGES as MESSAGES } from '../../../extension/locales/all';
import { type Locale, LOCALES, type Message, resolveLocale, setLocale, t } from '../../../extension/ui/i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

const forms = (message: Message): string[] =>
  typeof message === 'string' ? [message] : Object.values(message);
const allPlaceholders = (message: Message) => [...new Set(forms(message).flatMap(placeholders))].sort();

describe('locales', () => {
  it.each(LOCALES)('%s has every key, none empty, with the same placeholders', (locale) => {
    const english = MESSAGES.en;
    for (const key of Object.keys(english) as Array<keyof typeof english>) {
      const message = MESSAGES[locale][key] as Message;
      for (const form of forms(message)) expect(form, `${locale}: ${key}`).toBeTruthy();
      // A plural form may spell its number out ("one card", "כרטיס אחד"): the placeholders of all forms.
      const own = allPlaceholders(message).filter((name) => name !== 'count');
      expect(own, `${locale}: ${key}`).toEqual(
        allPlaceholders(english[key] as Message).filter((name) => name !== 'count'),
      );
      expect(typeof message, `${locale}: ${key} is a plural where English has one`).toBe(typeof english[key]);
    }
    expect(Object.keys(MESSAGES[locale]).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(LOCALES)('%s has every plural form its language needs, and only those', (locale) => {
    const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    for (const [key, message] of Object.entries(MESSAGES[locale]) as Array<[string, Message]>) {
      if (typeof message === 'string') continue;
      for (const category of needed)
        expect(message[category], `${locale}: ${key} lacks "${category}"`).toBeTruthy();
      for (const category of Object.keys(message))
        expect(needed, `${locale}: ${key} has "${category}"`).toContain(category);
      // Where the count is a number (not spelt out), it is shown.
      expect(message.other, `${locale}: ${key}`).toContain('{count}');
    }
  });

  it('counts in every language with its own forms', () => {
    const cases: Array<[Locale, number, string]> = [
      ['en', 1, 'Imported 1 card.'],
      ['en', 3, 'Imported 3 cards.'],
      ['he', 1, 'יובא כרטיס אחד.'],
      ['he', 2, 'יובאו שני כרטיסים.'],
      ['he', 5, 'יובאו 5 כרטיסים.'],
      ['ru', 1, 'Импортирована 1 карточка.'],
      ['ru', 3, 'Импортированы 3 карточки.'],
      ['ru', 5, 'Импортировано 5 карточек.'],
      ['ru', 21, 'Импортирована 21 карточка.'],
      ['el', 1, 'Εισήχθη 1 κάρτα.'],
      ['el', 4, 'Εισήχθησαν 4 κάρτες.'],
      ['ar', 2, 'تم استيراد بطاقتين.'],
    ];
    for (const [locale, count, expected] of cases) {
      setLocale(locale, false);
      expect(t('import.done', { count })).toBe(expected);
    }
    setLocale('ar', false);
    // Arabic writes its numbers with its own digits where Intl says so; the form is "few" for 3–10.
    expect(t('import.done', { count: 3 })).toBe(
      `تم استيراد ${new Intl.NumberFormat('ar').format(3)} بطاقات.`,
    );
    expect(t('import.done', { count: 11 })).toBe(
      `تم استيراد ${new Intl.NumberFormat('ar').format(11)} بطاقة.`,
    );
    setLocale('en', false);
  });

  it.each([
    [undefined, ['he-IL', 'en'], 'he'],
    ['auto', ['iw'], 'he'],
    ['auto', ['el-GR'], 'el'],
    ['auto', ['fr-FR', 'de'], 'en'],
    ['el', ['he-IL'], 'el'],
    ['auto', ['ar-IL', 'he'], 'ar'],
    ['auto', ['ru-RU'], 'ru'],
    ['ru', ['he-IL'], 'ru'],
  ] as const)('setting %s with browser %j → %s', (setting, languages, expected) => {
    expect(resolveLocale(setting, languages)).toBe(expected);
  });

  it('fills placeholders', () => {
    setLocale('he');
    expect(t('lastSpoke.days', { count: 3 })).toBe('דיברנו לפני 3 ימים');
    expect(t('lastSpoke.days', { count: 2 })).toBe('דיברנו לפני יומיים');
    setLocale('en');
    expect(t('import.row', { row: 4, reason: 'x' })).toBe('Row 4: x');
  });
});
