/**
 * Search-as-you-type over the cards: indexed prefix queries (words, phone digits) answer at once; a
 * compact in-memory list of every card's words finds matches inside words too, built in the background.
 */
import { compareResults, matchRank, parseQuery, type SearchQuery } from '../../../shared/search';
import type { Card, KesherDb } from '../../db/db';

export interface SearchFilters {
  stage?: Card['stage'];
  status?: Card['status'];
  tag?: string;
  withOpenTasks?: boolean;
}

interface Entry {
  id: string;
  name: string;
  nameTokens: string[];
  phoneDigits: string[];
  lastContactAt?: number;
}

const CANDIDATES = 400;

export class CardSearch {
  private entries: Entry[] | null = null;
  private building?: Promise<void>;

  constructor(private readonly db: KesherDb) {}

  /** Load the in-memory word list (call when idle; searches work without it, prefix-only). */
  warm(): Promise<void> {
    this.building ??= this.db.cards.toArray().then((cards) => {
      this.entries = cards.map(({ id, name, nameTokens, phoneDigits, lastContactAt }) => ({
        id,
        name,
        nameTokens,
        phoneDigits: phoneDigits ?? [],
        lastContactAt,
      }));
    });
    return this.building;
  }

  /** Cards changed: the word list is rebuilt on the next warm(). */
  invalidate(): void {
    this.entries = null;
    this.building = undefined;
  }

  async search(text: string, filters: SearchFilters = {}, limit = 50): Promise<Card[]> {
    const query = parseQuery(text);
    let cards: Card[];
    if (!query.digits && query.tokens.length === 0) {
      cards = await this.db.cards
        .orderBy('updatedAt')
        .reverse()
        .limit(limit * 4)
        .toArray();
      return (await this.filter(cards, filters)).slice(0, limit);
    }
    const found = new Map<string, Card>();
    for (const card of await this.prefixCandidates(query)) found.set(card.id, card);
    if (this.entries && found.size < limit) {
      const ids = this.entries
        .filter((entry) => !found.has(entry.id) && matchRank(query, entry) !== null)
        .map((entry) => entry.id);
      for (const card of await this.db.cards.bulkGet(ids.slice(0, CANDIDATES)))
        if (card) found.set(card.id, card);
    }
    const ranked = [...found.values()]
      .map((card) => ({ card, rank: matchRank(query, card) }))
      .filter((result): result is { card: Card; rank: number } => result.rank !== null)
      .sort(compareResults);
    return (
      await this.filter(
        ranked.map((result) => result.card),
        filters,
      )
    ).slice(0, limit);
  }

  private prefixCandidates(query: SearchQuery): Promise<Card[]> {
    if (query.digits)
      return this.db.cards.where('phoneDigits').startsWith(query.digits).limit(CANDIDATES).toArray();
    // The longest word narrows best; the ranking checks the others.
    const longest = [...query.tokens].sort((a, b) => b.length - a.length)[0]!;
    return this.db.cards.where('nameTokens').startsWith(longest).limit(CANDIDATES).toArray();
  }

  private async filter(cards: Card[], filters: SearchFilters): Promise<Card[]> {
    let result = cards.filter(
      (card) =>
        (!filters.stage || card.stage === filters.stage) &&
        (!filters.status || card.status === filters.status) &&
        (!filters.tag || card.tags.includes(filters.tag)),
    );
    if (filters.withOpenTasks) {
      const open = new Set(
        (
          await this.db.tasks
            .where('cardId')
            .anyOf(result.map((card) => card.id))
            .filter((task) => task.done === 0)
            .toArray()
        ).map((task) => task.cardId),
      );
      result = result.filter((card) => open.has(card.id));
    }
    return result;
  }
}
