import { describe, expect, it } from 'vitest';
import { keyConfidence, type MatchConfidence, parsePhone } from '../../../shared/phone';

/** The best confidence of the keys two numbers share (what the repository's tiered lookup finds). */
function matchConfidence(stored: readonly string[], incoming: readonly string[]): MatchConfidence | null {
  const shared = incoming.filter((key) => stored.includes(key)).map(keyConfidence);
  for (const level of ['exact', 'national', 'suffix'] as const) if (shared.includes(level)) return level;
  return null;
}

const IL = { defaultCountry: 'IL' };
const GR = { defaultCountry: 'GR' };

describe('parsePhone', () => {
  it.each([
    ['054-123-4567', IL, '+972541234567'],
    ['+972541234567', IL, '+972541234567'],
    ['+972-54-123-4567', IL, '+972541234567'],
    ['972541234567', IL, '+972541234567'],
    ['00972541234567', IL, '+972541234567'],
    ['0541234567', IL, '+972541234567'],
    ['541234567', IL, '+972541234567'],
    ['(03) 555-0100', IL, '+97235550100'],
    ['sip:+972541234567@10.0.0.1', IL, '+972541234567'],
    ['2101234567', GR, '+302101234567'],
    ['210 123 4567', GR, '+302101234567'],
    ['+30 210 123 4567', GR, '+302101234567'],
    ['00302101234567', GR, '+302101234567'],
    ['302101234567', GR, '+302101234567'],
    ['6912345678', GR, '+306912345678'],
    ['+30 691 234 5678', IL, '+306912345678'],
    ['+493012345678', IL, '+493012345678'],
  ])('%s (default %o) is %s', (raw, options, e164) => {
    const parsed = parsePhone(raw, options);
    expect(parsed.kind).toBe('number');
    expect(parsed.e164).toBe(e164);
    expect(parsed.keys).toContain(`e:${e164}`);
    expect(parsed.raw).toBe(raw);
  });

  it.each([
    'anonymous',
    'Anonymous',
    '',
    '   ',
    '<unknown>',
    'Restricted',
    'unavailable',
    'Private',
    '0',
    'Restricted call',
  ])('withheld: %j never matches anything', (raw) => {
    const parsed = parsePhone(raw, IL);
    expect(parsed.kind).toBe('withheld');
    expect(parsed.keys).toEqual([]);
  });

  it.each(['183', '100', '2001'])('internal extension %s', (raw) => {
    expect(parsePhone(raw, IL)).toMatchObject({ kind: 'internal', keys: [`x:${raw}`] });
  });

  it('reads Arabic-Indic and Persian digits as digits (a caller id, a typed number)', () => {
    const IL = { defaultCountry: 'IL' };
    expect(parsePhone('٠٥٤١٢٣٤٥٦٧', IL).e164).toBe('+972541234567');
    expect(parsePhone('+٩٧٢ ٥٤ ١٢٣ ٤٥٦٧', IL).e164).toBe('+972541234567');
    expect(parsePhone('۰۵۴-۱۲۳-۴۵۶۷', IL).e164).toBe('+972541234567');
  });

  it('removes an outside-line prefix the PBX adds', () => {
    expect(parsePhone('90541234567', { defaultCountry: 'IL', outsideLinePrefix: '9' }).e164).toBe(
      '+972541234567',
    );
    // Without the setting the same digits are not read as that mobile number.
    expect(parsePhone('90541234567', IL).e164).not.toBe('+972541234567');
  });

  it('shows local numbers the local way and foreign ones internationally', () => {
    expect(parsePhone('+972541234567', IL).display).toBe('054-123-4567');
    expect(parsePhone('+302101234567', IL).display).toMatch(/^\+30 /);
  });

  it('keeps digits of an invalid number so the same digits still match', () => {
    const parsed = parsePhone('12345678901234', IL);
    expect(parsed.kind).toBe('unparsed');
    expect(matchConfidence(parsed.keys, parsePhone('1234-5678-901234', IL).keys)).toBe('national');
  });
});

describe('matchConfidence', () => {
  const stored = parsePhone('054-123-4567', IL).keys;
  it.each([
    ['+972541234567', IL, 'exact'],
    ['0541234567', IL, 'exact'],
    // Same subscriber digits read under another country: only the national part agrees.
    ['541234567', { defaultCountry: 'US' }, 'national'],
    // Only the last seven digits agree: a "possible match", never exact.
    ['+1 541 234 567', IL, 'suffix'],
    ['+44 20 7123 4567', IL, 'suffix'],
    ['0521234568', IL, null],
  ] as const)('%s → %s', (raw, options, confidence) => {
    expect(matchConfidence(stored, parsePhone(raw, options).keys)).toBe(confidence);
  });
});
