/**
 * Search folding: two spellings a person would call "the same" fold to one string.
 * Case, Latin diacritics, Greek accents and final sigma, Hebrew niqqud/cantillation and final letters,
 * Arabic tashkeel, hamza forms of alef, alef wasla, alef maqsura, taa marbuta and tatweel, Russian ё (й stays),
 * and Arabic-Indic and Persian digits.
 */

const HEBREW_FINALS: Record<string, string> = { ך: 'כ', ם: 'מ', ן: 'נ', ף: 'פ', ץ: 'צ' };
const FINAL_LETTER = /[ךםןףץ]/g;
// Every combining mark: Latin/Greek accents after NFD, Hebrew points and cantillation (U+0591–U+05C7),
// Arabic harakat and the hamza that NFD takes off أ إ آ (U+064B–U+065F, U+0670).
const COMBINING_MARK = /\p{M}/gu;
const ARABIC_LETTERS: Record<string, string> = { ٱ: 'ا', ى: 'ي', ة: 'ه', ـ: '' };
const ARABIC_VARIANT = /[ٱىةـ]/g;

/** Arabic-Indic (٠١٢…) and Persian (۰۱۲…) digits → 0–9; everything else as it is (offsets are kept). */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

export function foldText(text: string): string {
  return (
    asciiDigits(text)
      .normalize('NFD')
      // й is a letter of its own in Russian, not an и with a mark.
      .replace(/\u0438\u0306/g, 'й')
      .replace(/\u0418\u0306/g, 'Й')
      .replace(COMBINING_MARK, '')
      .toLowerCase()
      .replace(/ς/g, 'σ')
      .replace(FINAL_LETTER, (letter) => HEBREW_FINALS[letter] ?? letter)
      .replace(ARABIC_VARIANT, (letter) => ARABIC_LETTERS[letter] ?? letter)
      .normalize('NFC')
  );
}

/** Folded words of a name, company or email, for a multi-entry index of prefixes-by-word. */
export function foldedTokens(text: string): string[] {
  const words = foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
  return [...new Set(words)];
}

/** Only the digits of a string: phone search compares digits, whatever the punctuation. */
export function digitsOnly(text: string): string {
  return asciiDigits(text).replace(/\D/g, '');
}
