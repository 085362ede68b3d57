import { describe, expect, it } from 'vitest';
import {
  countryOfHost,
  countryOfPage,
  emailFromMailto,
  findContactsInText,
  phoneFromTelLink,
} from '../../../shared/page-contacts';

const IL = { defaultCountry: 'IL' };
const GR = { defaultCountry: 'GR' };
const US = { defaultCountry: 'US' };

const phones = (text: string, options = IL) =>
  findContactsInText(text, options)
    .filter((item) => item.kind === 'phone')
    .map((item) => [item.text, item.value]);

describe('findContactsInText: numbers people write', () => {
  it.each([
    ['Call 03-555-1234 today', IL, '03-555-1234', '+97235551234'],
    ['our phone number: 03-555-1234', IL, '03-555-1234', '+97235551234'],
    ['נייד: 054-123-4567', IL, '054-123-4567', '+972541234567'],
    ['+972 54-123-4567.', IL, '+972 54-123-4567', '+972541234567'],
    ['tel 0541234567', IL, '0541234567', '+972541234567'],
    ['(408) 714-1489', US, '(408) 714-1489', '+14087141489'],
    ['Τηλ. 210 123 4567', GR, '210 123 4567', '+302101234567'],
    ['Κινητό 6912345678', GR, '6912345678', '+306912345678'],
    ['London +44 20 7946 0958', IL, '+44 20 7946 0958', '+442079460958'],
    ['0030 210 123 4567', IL, '0030 210 123 4567', '+302101234567'],
    ['τηλ. 210 123 4567 1.2.3.4', GR, '210 123 4567', '+302101234567'],
  ])('%s (%o) → %s', (text, options, written, e164) => {
    expect(phones(text, options)).toEqual([[written, e164]]);
  });

  it.each([
    ['a date', 'Meeting on 2024-11-23, 23/11/2024 or 23.11.2024 12:30'],
    ['a date with a time', '23.11.2024 12:30'],
    ['prices', 'Price ₪1,299.00, $ 4,500,000 and 5551234 NIS'],
    ['order numbers', 'Order #100234567, order no. 0541234567, הזמנה 0541234567, παραγγελία 2101234567'],
    ['IBANs', 'IBAN IL62 0108 0000 0009 9999 999 and GR16 0110 1250 0000 0001 2300 695'],
    ['version strings', 'Version 10.2.3.4567, build 2024.11.23, v2.10.12345, 1.2.3.4, 192.168.1.100'],
    ['card numbers', 'Card 4111 1111 1111 1111'],
    ['ISBNs', 'ISBN 978-3-16-148410-0'],
    ['ids and ZIP codes', 'ת.ז. 012345678, ΑΦΜ 0123456789, Zip 94086, SKU-0541234567'],
    ['a number inside a URL', 'https://example.com/item/0541234567'],
    ['bare digit runs', 'Reference 4087141489 and 5551234567'],
    ['times', '12:30-14:00'],
  ])('no phone in %s', (_, text) => {
    expect(phones(text, IL)).toEqual([]);
    expect(phones(text, GR)).toEqual([]);
    expect(phones(text, US)).toEqual([]);
  });

  it('finds addresses, lowercased for matching, in any script', () => {
    const found = findContactsInText('Write to Dana@Acme.co.il or νίκος@παράδειγμα.ελ.', IL);
    expect(found.map((item) => [item.kind, item.text, item.value])).toEqual([
      ['email', 'Dana@Acme.co.il', 'dana@acme.co.il'],
      ['email', 'νίκος@παράδειγμα.ελ', 'νίκος@παράδειγμα.ελ'],
    ]);
  });

  it('gives offsets that cut exactly the number out of the text', () => {
    const text = 'Sales: 03-555-1234, support: 03-555-9876';
    const found = findContactsInText(text, IL);
    expect(found.map((item) => text.slice(item.start, item.end))).toEqual(['03-555-1234', '03-555-9876']);
  });

  it('never keeps suffix keys: a chip on a page never guesses', () => {
    const [found] = findContactsInText('054-123-4567', IL);
    expect(found?.keys.some((key) => key.startsWith('t:'))).toBe(false);
  });
});

describe('links', () => {
  it.each([
    ['tel:+972541234567', '+972541234567'],
    ['tel:054-123-4567;ext=12', '+972541234567'],
    ['tel:%2B972%2054%20123%204567', '+972541234567'],
  ])('%s', (href, e164) => {
    expect(phoneFromTelLink(href, IL)?.value).toBe(e164);
  });

  it('rejects a tel: link that is no number and reads the first address of a mailto:', () => {
    expect(phoneFromTelLink('tel:hello', IL)).toBeNull();
    expect(emailFromMailto('mailto:Dana@Acme.co.il?subject=Hi')?.value).toBe('dana@acme.co.il');
    expect(emailFromMailto('mailto:?subject=nobody')).toBeNull();
  });
});

describe("chips: a number is the default country's or the page's own, unless written with its country code", () => {
  const chips = (text: string, pageCountry?: string) =>
    findContactsInText(text, { defaultCountry: 'IL', strictCountry: true, pageCountry })
      .filter((item) => item.kind === 'phone')
      .map((item) => item.value);

  it('a copyright line is not an Egyptian number on an Israeli page', () => {
    expect(chips('© 2026 2428392, Inc.')).toEqual([]);
    // Read leniently (a capture's selection), the same digits still parse: the rule is the chips'.
    expect(findContactsInText('© 2026 2428392, Inc.', { defaultCountry: 'IL' })).toHaveLength(1);
  });

  it('a local US number gets its chip on a page that says it is American, not elsewhere', () => {
    expect(chips('Call (718) 774-0042 today')).toEqual([]);
    expect(chips('Call (718) 774-0042 today', 'US')).toEqual(['+17187740042']);
    expect(chips('Call +1 718 774 0042 today')).toEqual(['+17187740042']);
    expect(chips('נייד: 054-123-4567', 'US')).toEqual(['+972541234567']);
  });

  it('a number invalid everywhere is never an Israeli one', () => {
    expect(chips('Toll free: 1-800-555-0199')).toEqual([]);
    expect(chips('Call 1-888-2428392 in the US')).toEqual([]);
    expect(phones('Call 1-800-555-0199')).toEqual([]);
    // A real Israeli toll-free number still is one.
    expect(chips('חינם: 1-800-555-019')).toEqual(['+9721800555019']);
  });

  it("the page country comes from its language's region, else its top-level domain", () => {
    expect(countryOfPage('https://www.theowl.nyc/', 'en-US')).toBe('US');
    expect(countryOfPage('https://www.acme.co.il/', 'he')).toBe('IL');
    expect(countryOfPage('https://www.songkick.com/', 'en')).toBeUndefined();
    expect(countryOfPage('not a url', '<script>')).toBeUndefined();
  });

  it('the page country comes from its top-level domain', () => {
    expect(countryOfHost('www.acme.co.il')).toBe('IL');
    expect(countryOfHost('shop.example.co.uk')).toBe('GB');
    expect(countryOfHost('www.songkick.com')).toBeUndefined();
    expect(countryOfHost('127.0.0.1')).toBeUndefined();
  });
});

describe('digits of every script', () => {
  it('Arabic-Indic and Persian digits in page text are numbers, at the same offsets', () => {
    const text = 'هاتف: ٠٥٤-١٢٣-٤٥٦٧';
    const [found] = findContactsInText(text, IL);
    expect(found?.value).toBe('+972541234567');
    expect(text.slice(found!.start, found!.end)).toBe('٠٥٤-١٢٣-٤٥٦٧');
    expect(findContactsInText('тел. ۰۵۴۱۲۳۴۵۶۷', IL)[0]?.value).toBe('+972541234567');
  });
});

describe('what is not a phone, in Russian and Arabic', () => {
  it.each([
    'Заказ № 0541234567',
    'Счёт 0541234567',
    'Дата: 2026-11-23',
    'Цена 0541234567 руб',
    'فاتورة ٠٥٤١٢٣٤٥٦٧',
    'رقم الطلب: 0541234567',
    'السعر 0541234567 شيكل',
  ])('%s', (text) => {
    expect(findContactsInText(text, IL).filter((item) => item.kind === 'phone')).toEqual([]);
  });

  it('while a labelled phone is one', () => {
    expect(findContactsInText('тел. 054-123-4567', IL)[0]?.value).toBe('+972541234567');
    expect(findContactsInText('جوال: ٠٥٤١٢٣٤٥٦٧', IL)[0]?.value).toBe('+972541234567');
  });
});
