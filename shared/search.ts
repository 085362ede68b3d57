/**
 * Ranking for search-as-you-type: a query word that starts a word of the card beats one found inside a
 * word; on a tie the customer spoken to most recently comes first, then the name.
 */
import { digitsOnly, foldedTokens } from './text';

export interface Searchable {
  name: string;
  nameTokens: readonly string[];
  phoneDigits: readonly string[];
  lastContactAt?: number;
}

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

/** Lower is better; null: no match. */
export function matchRank(query: SearchQuery, card: Searchable): number | null {
  if (query.digits) {
    if (card.phoneDigits.some((digits) => digits.startsWith(query.digits!))) return 0;
    if (card.phoneDigits.some((digits) => digits.includes(query.digits!))) return 2;
    return null;
  }
  if (query.tokens.length === 0) return null;
  let rank = 0;
  for (const token of query.tokens) {
    if (card.nameTokens.some((word) => word.startsWith(token))) continue;
    if (card.nameTokens.some((word) => word.includes(token))) {
      rank = 2;
      continue;
    }
    return null;
  }
  // The name itself starting with the query ("Dan" for "Dana Levi") beats a later word ("Ben Dan").
  if (rank === 0 && !card.nameTokens[0]?.startsWith(query.tokens[0]!)) rank = 1;
  return rank;
}

export function compareResults<T extends Searchable>(
  a: { rank: number; card: T },
  b: { rank: number; card: T },
): number {
  return (
    a.rank - b.rank ||
    (b.card.lastContactAt ?? 0) - (a.card.lastContactAt ?? 0) ||
    a.card.name.localeCompare(b.card.name)
  );
}
