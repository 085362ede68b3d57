/**
 * A user's one-time pairing code ("K7Q4-MZ2P"): made by the bridge (`user add`), typed at a desk however a
 * person types it ("k7q4 mz2p"). Letters and digits that cannot be misread: no 0/O, 1/I/L.
 */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** The code in its one written form, or null when the text is not a pairing code (a token, a typo). */
export function pairingCodeOf(text: string): string | null {
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== 8 || [...compact].some((char) => !PAIRING_CODE_ALPHABET.includes(char))) return null;
  return `${compact.slice(0, 4)}-${compact.slice(4)}`;
}
