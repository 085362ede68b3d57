import { describe, expect, it } from 'vitest';
import { digitsOnly, foldedTokens, foldText } from '../../../shared/text';

describe('foldText', () => {
  it.each([
    ['Dana LEVI', 'dana levi'],
    ['José Müller', 'jose muller'],
    ['שָׁלוֹם', 'שלומ'],
    ['שלום', 'שלומ'],
    ['כהן', 'כהנ'],
    ['ץף', 'צפ'],
    ['Ελένη', 'ελενη'],
    ['ΟΔΥΣΣΕΑΣ', 'οδυσσεασ'],
    ['Οδυσσέας', 'οδυσσεασ'],
    ['Ζωή', 'ζωη'],
    // Arabic: tashkeel, hamza on alef, alef wasla, alef maqsura, taa marbuta, tatweel.
    ['مُحَمَّد', 'محمد'],
    ['أحمد', 'احمد'],
    ['إبراهيم', 'ابراهيم'],
    ['آمال', 'امال'],
    ['ٱلقدس', 'القدس'],
    ['مصطفى', 'مصطفي'],
    ['فاطمة', 'فاطمه'],
    ['شـركـة', 'شركه'],
    // Russian: ё is е; й stays й.
    ['Алёна', 'алена'],
    ['Сергей', 'сергей'],
    ['ЙОГУРТ', 'йогурт'],
    // Arabic-Indic and Persian digits.
    ['٠٥٤١٢٣٤٥٦٧', '0541234567'],
    ['۰۵۴', '054'],
  ])('%s → %s', (input, folded) => {
    expect(foldText(input)).toBe(folded);
  });
});

describe('foldedTokens', () => {
  it('splits words and emails into folded tokens', () => {
    expect(foldedTokens('Dana Levi dana@acme.co.il')).toEqual(['dana', 'levi', 'acme', 'co', 'il']);
  });
  it('is empty for empty text', () => {
    expect(foldedTokens('  ')).toEqual([]);
  });
});

describe('digitsOnly', () => {
  it.each([
    ['+972-54-123-4567', '972541234567'],
    ['(03) 555 0100', '035550100'],
    ['no digits', ''],
  ])('%s → %s', (input, digits) => {
    expect(digitsOnly(input)).toBe(digits);
  });
});
