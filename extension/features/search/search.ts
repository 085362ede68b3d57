/**
 * Search-as-you-type over the cards: a compact in-memory list (each card's words joined in one string)
 * answers every keystroke with one scan of native string searches, keeping only the best results in order.
 * It is loaded when a page opens (on idle) and rebuilt in the background after a change.
 */
import { keyConfidence, keyDigits } from '../../../shared/phone';
import { parseQuery, type SearchQuery } from '../../../shared/search';
import { digitsOnly } from '../../../shared/text';
import { searchWords } from '../../db/cards';
import type { Card, KesherDb } from '../../db/db';

export interface SearchFilters {
  stage?: Card['stage'];
  status?: Card['status'];
  tag?: string;
  withOpenTasks?: boolean;
}

const SEP = '\u0001';

/** What a result list shows: read from memory, so a keystroke costs no database read. */
export interface CardSummary {
  id: string;
  name: string;
  kind: Card['kind'];
  company?: string;
  phone?: string;
  email?: string;
  stage: Card['stage'];
  status: Card['status'];
  tags: string[];
  lastContactAt: number;
}

interface Entry extends CardSummary {
  /** "\u0001word\u0001word…": a word start is SEP + prefix. */
  words: string;
  first: string;
  digits: string;
}

interface Hit {
  rank: number;
  entry: Entry;
}

/** Digit forms a person may start typing: as written ("0541234567"), national, international. */
export function phoneDigitsOf(card: Pick<Card, 'phones' | 'phoneKeys'>): string[] {
  const digits = new Set<string>();
  for (const phone of card.phones) {
    const only = digitsOnly(phone.raw);
    if (only) digits.add(only);
  }
  for (const key of card.phoneKeys) {
    // E.164 without its "+", and the national digits: what a person types to find a number.
    if (key.startsWith('e:')) digits.add(keyDigits(key).slice(1));
    if (keyConfidence(key) === 'national') digits.add(keyDigits(key));
  }
  return [...digits];
}

function entryOf(card: Card): Entry {
  const words = searchWords(card);
  return {
    id: card.id,
    words: SEP + words.join(SEP),
    first: words[0] ?? '',
    digits: SEP + phoneDigitsOf(card).join(SEP),
    lastContactAt: card.lastContactAt ?? 0,
    name: card.name,
    kind: card.kind,
    company: card.company,
    phone: card.phones[0]?.raw,
    email: card.emails[0],
    stage: card.stage,
    status: card.status,
    tags: card.tags,
  };
}

function summaryOf(entry: Entry): CardSummary {
  const { words: _words, first: _first, digits: _digits, ...summary } = entry;
  return summary;
}

/** Lower is better, null for no match: the same order as shared/search.ts's matchRank. */
function rankEntry(query: SearchQuery, entry: Entry): number | null {
  if (query.digits) {
    if (entry.digits.includes(SEP + query.digits)) return 0;
    return query.digits.length >= 3 && entry.digits.includes(query.digits) ? 2 : null;
  }
  let rank = 0;
  for (const token of query.tokens) {
    if (entry.words.includes(SEP + token)) continue;
    if (token.length >= 2 && entry.words.includes(token)) {
      rank = 2;
      continue;
    }
    return null;
  }
  return rank === 0 && !entry.first.startsWith(query.tokens[0]!) ? 1 : rank;
}

function better(a: Hit, b: Hit): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.entry.lastContactAt > b.entry.lastContactAt);
}

/**
 * Every entry's words in one long string, with where each entry starts: finding a word (start) is then one
 * native indexOf loop over the whole list instead of a call per card.
 */
class WordIndex {
  readonly text: string;
  readonly starts: Int32Array;

  constructor(parts: readonly string[]) {
    this.starts = new Int32Array(parts.length + 1);
    let offset = 0;
    parts.forEach((part, index) => {
      this.starts[index] = offset;
      offset += part.length + 1;
    });
    this.starts[parts.length] = offset;
    this.text = parts.join('\u0002');
  }

  /** Indices of the entries whose part contains `needle`, ascending, each once, as they are found. */
  *find(needle: string, fromEntry = 0): Generator<number> {
    let entry = fromEntry;
    for (
      let at = this.text.indexOf(needle, this.starts[fromEntry] ?? this.text.length);
      at >= 0;
      at = this.text.indexOf(needle, at + 1)
    ) {
      while (this.starts[entry + 1]! <= at) entry++;
      yield entry;
      // Skip to the next entry: one hit per entry is enough.
      at = this.starts[entry + 1]! - 1;
    }
  }
}

export class CardSearch {
  private entries: Entry[] | null = null;
  private words?: WordIndex;
  private digits?: WordIndex;
  private firsts?: WordIndex;
  private building?: Promise<void>;

  constructor(private readonly db: KesherDb) {}

  /** Load the in-memory list (on idle; searches work without it, by prefix only). */
  warm(): Promise<void> {
    this.building ??= this.db.cards.toArray().then((cards) => {
      // Most recently contacted first: a scan that has its fill of best-ranked hits can stop early.
      const entries = cards
        .map(entryOf)
        .sort((a, b) => b.lastContactAt - a.lastContactAt || a.name.localeCompare(b.name));
      this.words = new WordIndex(entries.map((entry) => entry.words));
      this.digits = new WordIndex(entries.map((entry) => entry.digits));
      this.firsts = new WordIndex(entries.map((entry) => SEP + entry.first));
      this.entries = entries;
    });
    return this.building;
  }

  /** Cards changed: drop the list and build it again in the background. */
  invalidate(): void {
    const rebuild = this.entries !== null || this.building !== undefined;
    this.entries = null;
    this.building = undefined;
    if (rebuild) void this.warm();
  }

  async search(text: string, filters: SearchFilters = {}, limit = 50): Promise<CardSummary[]> {
    const query = parseQuery(text);
    if (!this.entries) await this.warm();
    if (!query.digits && query.tokens.length === 0) {
      // No query: the most recently contacted cards (the list is kept in that order).
      const wantedAll = filters.withOpenTasks ? limit * 4 : limit;
      const recent: Entry[] = [];
      for (const entry of this.entries ?? []) {
        if (!this.passes(entry, filters)) continue;
        recent.push(entry);
        if (recent.length === wantedAll) break;
      }
      return (await this.applyTaskFilter(recent, filters)).slice(0, limit).map(summaryOf);
    }
    const entries = this.entries ?? [];
    // Candidates: the entries holding the query's longest word (a prefix for one letter, anywhere for
    // more); each is then ranked on all the words.
    const needle = query.digits ?? [...query.tokens].sort((a, b) => b.length - a.length)[0]!;
    const index = query.digits ? this.digits! : this.words!;
    // One letter: names that start with it (a whole list of words containing it helps nobody).
    const startsOnly = !query.digits && query.tokens.length === 1 && needle.length === 1;
    // Candidates able to reach a rank: any (2) → entries holding the needle anywhere; word starts (1) →
    // the needle after a word break; 0 → the name (or number) itself starting with it.
    const source = (maxRank: number, from: number) => {
      if (maxRank === 0)
        return query.digits
          ? this.digits!.find(SEP + needle, from)
          : this.firsts!.find(SEP + query.tokens[0]!, from);
      const anywhere = maxRank === 2 && needle.length >= (query.digits ? 3 : 2);
      return index.find(anywhere ? needle : SEP + needle, from);
    };
    // Entries come most recent first, so once the list is full only a better rank can enter it: the scan
    // narrows to the candidates able to rank better, and stops when the list is all rank 0.
    const wanted = filters.withOpenTasks ? limit * 4 : limit;
    const best: Hit[] = [];
    let maxRank = startsOnly ? 0 : 2;
    let candidates = source(maxRank, 0);
    scan: for (;;) {
      for (const position of candidates) {
        const entry = entries[position]!;
        const rank = rankEntry(query, entry);
        if (rank === null || rank > maxRank || !this.passes(entry, filters)) continue;
        const hit = { rank, entry };
        if (best.length === wanted && !better(hit, best[best.length - 1]!)) continue;
        let slot = best.length;
        while (slot > 0 && better(hit, best[slot - 1]!)) slot--;
        best.splice(slot, 0, hit);
        if (best.length > wanted) best.pop();
        if (best.length < wanted) continue;
        const worst = best[best.length - 1]!.rank;
        if (worst === 0) break scan;
        if (worst - 1 < maxRank) {
          maxRank = worst - 1;
          candidates = source(maxRank, position + 1);
          continue scan;
        }
      }
      break;
    }
    return (
      await this.applyTaskFilter(
        best.map((hit) => hit.entry),
        filters,
      )
    )
      .slice(0, limit)
      .map(summaryOf);
  }

  /** Every card's name by id when the list is in memory already (null: it is not; nothing is read). */
  names(): ReadonlyMap<string, string> | null {
    if (!this.entries) return null;
    if (this.nameIndex?.entries !== this.entries)
      this.nameIndex = {
        entries: this.entries,
        names: new Map(this.entries.map((entry) => [entry.id, entry.name])),
      };
    return this.nameIndex.names;
  }
  private nameIndex?: { entries: Entry[]; names: Map<string, string> };

  /** How many cards are at each stage (the dashboard). */
  async stageCounts(): Promise<Map<Card['stage'], number>> {
    await this.warm();
    const counts = new Map<Card['stage'], number>();
    for (const entry of this.entries ?? []) counts.set(entry.stage, (counts.get(entry.stage) ?? 0) + 1);
    return counts;
  }

  /** Every tag in use, for the filter. */
  async tags(): Promise<string[]> {
    await this.warm();
    return [...new Set((this.entries ?? []).flatMap((entry) => entry.tags))].sort();
  }

  private passes(entry: Entry, filters: SearchFilters): boolean {
    return (
      (!filters.stage || entry.stage === filters.stage) &&
      (!filters.status || entry.status === filters.status) &&
      (!filters.tag || entry.tags.includes(filters.tag))
    );
  }

  private async applyTaskFilter(cards: Entry[], filters: SearchFilters): Promise<Entry[]> {
    if (!filters.withOpenTasks || cards.length === 0) return cards;
    const open = await this.db.tasks
      .where('cardId')
      .anyOf(cards.map((card) => card.id))
      .filter((task) => task.done === 0)
      .toArray();
    const ids = new Set(open.map((task) => task.cardId));
    return cards.filter((card) => ids.has(card.id));
  }
}
