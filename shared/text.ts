/**
 * Search folding: two spellings a person would call "the same" fold to one string.
 * Case, Latin diacritics, Greek accents and final sigma, Hebrew niqqud/cantillation and final letters.
 */

const HEBREW_FINALS: Record<string, string> = { ך: 'כ', ם: 'מ', ן: 'נ', ף: 'פ', ץ: 'צ' };
const FINAL_LETTER = /[ךםןףץ]/g;
// Every combining mark: Latin/Greek accents after NFD, Hebrew points and cantillation (U+0591–U+05C7).
const COMBINING_MARK = /\p{M}/gu;

export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARK, '')
    .toLowerCase()
    .replace(/ς/g, 'σ')
    .replace(FINAL_LETTER, (letter) => HEBREW_FINALS[letter] ?? letter)
    .normalize('NFC');
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
  return text.replace(/\D/g, '');
}
