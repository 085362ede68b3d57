/**
 * What a search box holds: folded words, or a phone number being typed. (Ranking lives with the search
 * itself, extension/features/search/search.ts.)
 */
import { digitsOnly, foldedTokens } from './text';

export interface SearchQuery {
  tokens: string[];
  /** Set when the query is a phone number being typed. */
  digits?: string;
}

export function parseQuery(text: string): SearchQuery {
  const trimmed = text.trim();
  const digits = digitsOnly(trimmed);
  // "054-12", "+972 54", "0541": mostly digits → a number being typed.
  const isNumber = digits.length >= 2 && digits.length >= trimmed.replace(/[\s\-+().]/g, '').length;
  return isNumber ? { tokens: [], digits } : { tokens: foldedTokens(trimmed) };
}
