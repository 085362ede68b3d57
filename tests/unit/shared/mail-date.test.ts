import { describe, expect, it } from 'vitest';
import { parseMailDate, timeFromGmailId } from '../../../shared/mail-date';

const local = (y: number, m: number, d: number, h: number, min: number) =>
  new Date(y, m - 1, d, h, min).getTime();

describe("a message's date as Gmail shows it, in every interface language", () => {
  it.each([
    ['Mon, Nov 23, 2026, 10:15 AM', local(2026, 11, 23, 10, 15)],
    ['Mon, Nov 23, 2026, 3:05 PM', local(2026, 11, 23, 15, 5)],
    ['Mon, Nov 23, 2026, 12:30 AM', local(2026, 11, 23, 0, 30)],
    ['Mon, 23 Nov 2026, 15:05', local(2026, 11, 23, 15, 5)],
    ['Sept 3, 2026, 9:00 AM', local(2026, 9, 3, 9, 0)],
    ['יום ב׳, 23 בנוב׳ 2026, 10:15', local(2026, 11, 23, 10, 15)],
    ['יום שני, 23 בנובמבר 2026, 15:05', local(2026, 11, 23, 15, 5)],
    ['Δευ, 23 Νοε 2026, 10:15 π.μ.', local(2026, 11, 23, 10, 15)],
    ['Δευτέρα, 23 Νοεμβρίου 2026, 3:05 μ.μ.', local(2026, 11, 23, 15, 5)],
    ['пн, 23 нояб. 2026 г., 10:15', local(2026, 11, 23, 10, 15)],
    ['понедельник, 23 ноября 2026 г., 15:05', local(2026, 11, 23, 15, 5)],
    ['الاثنين، ٢٣ نوفمبر ٢٠٢٦، ١٠:١٥ ص', local(2026, 11, 23, 10, 15)],
    ['الاثنين، ٢٣ نوفمبر ٢٠٢٦، ٣:٠٥ م', local(2026, 11, 23, 15, 5)],
    ['Mo., 23. Nov. 2026, 10:15', local(2026, 11, 23, 10, 15)],
    // A Saturday at noon in German ("Sa.") is not "12 AM".
    ['Sa., 28. Nov. 2026, 12:30', local(2026, 11, 28, 12, 30)],
    ['sáb, 28 nov 2026, 3:05 p. m.', local(2026, 11, 28, 15, 5)],
    ['lun. 23 nov. 2026, 10:15', local(2026, 11, 23, 10, 15)],
    ['lun, 23 nov 2026, 10:15', local(2026, 11, 23, 10, 15)],
    ['23 de nov. de 2026, 10:15', local(2026, 11, 23, 10, 15)],
    ['2026年11月23日(月) 10:15', local(2026, 11, 23, 10, 15)],
    ['23.11.2026, 10:15', local(2026, 11, 23, 10, 15)],
    ['23 Kas 2026 Pzt 10:15', local(2026, 11, 23, 10, 15)],
  ])('%s', (text, expected) => {
    expect(parseMailDate(text)).toBe(expected);
  });

  it('says nothing rather than guess: a time alone, or a date that does not exist', () => {
    expect(parseMailDate('10:15 AM')).toBeUndefined();
    expect(parseMailDate('Nov 31, 2026, 10:15 AM')).toBeUndefined();
    expect(parseMailDate('')).toBeUndefined();
  });

  it("falls back to the time in Gmail's legacy message id", () => {
    const at = Date.UTC(2026, 10, 23, 8, 15);
    const id = (BigInt(at) * 2n ** 20n + 12345n).toString(16);
    expect(Math.abs(timeFromGmailId(id)! - at)).toBeLessThan(2);
    expect(timeFromGmailId('not-hex')).toBeUndefined();
    expect(timeFromGmailId('0000000000000001')).toBeUndefined();
  });
});
