/**
 * Search-as-you-type over the cards: a compact in-memory list (each card's words joined in one string)
 * answers every keystroke with one scan of native string searches, keeping only the best results in order.
 * It is loaded when a page opens (on idle) and kept up to date from the cards' change log (db/card-log.ts):
 * after an edit only the changed cards are read again.
 */
import { keyConfidence, keyDigits } from '../../../shared/phone';
import { parseQuery, type SearchQuery } from '../../../shared/search';
import { digitsOnly } from '../../../shared/text';
import { cardLogHead, cardsChangedSince, trimCardLog } from '../../db/card-log';
import { readSearchSnapshot, type SearchSnapshot, writeSearchSnapshot } from '../../db/search-snapshot';
import { searchWords } from '../../db/cards';
import type { Card, KesherDb } from '../../db/db';

export interface SearchFilters {
  stage?: Card['stage'];
  status?: Card['status'];
  tag?: string;
  withOpenTasks?: boolean;
}

const SEP = '\u0001';
/** Cards changed since the list was built beyond which it is built again (in the background). */
const REBUILD_AFTER = 2_000;
/** How long after building the list its snapshot is written (the page's first moments are the user's). */
const SNAPSHOT_AFTER_MS = 3_000;
/** Up to this many changed cards are each found in the list; more make a map of every id. */
const FEW = 50;

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
  constructor(
    readonly text: string,
    readonly starts: Int32Array,
  ) {}

  static of(parts: readonly string[]): WordIndex {
    const starts = new Int32Array(parts.length + 1);
    let offset = 0;
    parts.forEach((part, index) => {
      starts[index] = offset;
      offset += part.length + 1;
    });
    starts[parts.length] = offset;
    return new WordIndex(parts.join('\u0002'), starts);
  }

  /** Entry `index`'s part. */
  part(index: number): string {
    return this.text.slice(this.starts[index]!, this.starts[index + 1]! - 1);
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

/** The snapshot format (db/search-snapshot.ts): changed whenever what an entry holds changes. */
const SNAPSHOT_VERSION = 1;
/** The columns a snapshot keeps, beside the three word indexes. */
const COLUMNS = ['id', 'name', 'kind', 'company', 'phone', 'email', 'stage', 'status', 'tags'] as const;

/**
 * The built list: most recently contacted first, with its word indexes. Built from the cards it holds its
 * entries; read from a snapshot it makes each entry only when a search reaches it (opening the app does not
 * make 100,000 objects).
 */
class List {
  private constructor(
    readonly count: number,
    readonly words: WordIndex,
    readonly digits: WordIndex,
    readonly firsts: WordIndex,
    private readonly made: Array<Entry | undefined>,
    private readonly columns?: Record<(typeof COLUMNS)[number], WordIndex>,
    private readonly lastContact?: Float64Array,
  ) {}

  static of(entries: Entry[]): List {
    return new List(
      entries.length,
      WordIndex.of(entries.map((entry) => entry.words)),
      WordIndex.of(entries.map((entry) => entry.digits)),
      WordIndex.of(entries.map((entry) => SEP + entry.first)),
      entries,
    );
  }

  /** The snapshot's list, or null when it is of another format or damaged (the list is then built). */
  static read(snapshot: SearchSnapshot): List | null {
    const { count, texts, starts } = snapshot;
    const index = (name: string) => {
      const text = texts[name];
      const offsets = starts[name];
      if (typeof text !== 'string' || !(offsets instanceof Int32Array) || offsets.length !== count + 1)
        return null;
      return new WordIndex(text, offsets);
    };
    const words = index('words');
    const digits = index('digits');
    const firsts = index('firsts');
    const columns: Partial<Record<(typeof COLUMNS)[number], WordIndex>> = {};
    for (const name of COLUMNS) {
      const column = index(name);
      if (!column) return null;
      columns[name] = column;
    }
    if (snapshot.version !== SNAPSHOT_VERSION || !words || !digits || !firsts) return null;
    if (!(snapshot.lastContact instanceof Float64Array) || snapshot.lastContact.length !== count) return null;
    return new List(
      count,
      words,
      digits,
      firsts,
      new Array(count),
      columns as Record<(typeof COLUMNS)[number], WordIndex>,
      snapshot.lastContact,
    );
  }

  entry(index: number): Entry {
    let entry = this.made[index];
    if (entry) return entry;
    const column = (name: (typeof COLUMNS)[number]) => this.columns![name].part(index);
    const optional = (name: (typeof COLUMNS)[number]) => column(name) || undefined;
    const tags = column('tags');
    entry = {
      id: column('id'),
      name: column('name'),
      kind: column('kind') as Entry['kind'],
      company: optional('company'),
      phone: optional('phone'),
      email: optional('email'),
      stage: column('stage') as Entry['stage'],
      status: column('status') as Entry['status'],
      tags: tags ? tags.split(SEP) : [],
      lastContactAt: this.lastContact![index]!,
      words: this.words.part(index),
      first: this.firsts.part(index).slice(1),
      digits: this.digits.part(index),
    };
    this.made[index] = entry;
    return entry;
  }

  /** One field of entry `index`, without making the entry (a snapshot's list makes none it need not). */
  field(name: 'id' | 'name' | 'stage', index: number): string {
    return this.columns ? this.columns[name].part(index) : this.made[index]![name];
  }

  tagsAt(index: number): readonly string[] {
    if (!this.columns) return this.made[index]!.tags;
    const { starts } = this.columns.tags;
    // Most cards have no tag: nothing is sliced for them.
    return starts[index + 1]! - starts[index]! > 1 ? this.columns.tags.part(index).split(SEP) : [];
  }

  get fromSnapshot(): boolean {
    return this.columns !== undefined;
  }

  /** Where the card with this id is in a snapshot's list (−1: not there), without a map of every id. */
  positionOf(id: string): number {
    const { text, starts } = this.columns!.id;
    for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + 1)) {
      // A whole part only: it starts an entry and ends where the next one starts.
      let low = 0;
      let high = this.count;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (starts[middle]! < at) low = middle + 1;
        else high = middle;
      }
      if (starts[low] === at && starts[low + 1]! - 1 === at + id.length) return low;
    }
    return -1;
  }

  snapshot(seq: number): SearchSnapshot {
    const entries = Array.from({ length: this.count }, (_, index) => this.entry(index));
    const texts: Record<string, string> = {};
    const starts: Record<string, Int32Array> = {};
    const keep = (name: string, index: WordIndex) => {
      texts[name] = index.text;
      starts[name] = index.starts;
    };
    keep('words', this.words);
    keep('digits', this.digits);
    keep('firsts', this.firsts);
    for (const name of COLUMNS)
      keep(
        name,
        WordIndex.of(
          entries.map((entry) => (name === 'tags' ? entry.tags.join(SEP) : String(entry[name] ?? ''))),
        ),
      );
    return {
      id: 'cards',
      version: SNAPSHOT_VERSION,
      seq,
      count: this.count,
      texts,
      starts,
      lastContact: Float64Array.from(entries, (entry) => entry.lastContactAt),
    };
  }
}

export class CardSearch {
  /** The list as last built (or read from the snapshot), most recently contacted first. */
  private list: List | null = null;
  private building?: Promise<void>;
  /** Where the list stands in the cards' change log (db/card-log.ts). */
  private seen = 0;
  /** Cards changed since the list was built: their entry now (null: deleted). */
  private changes = new Map<string, Entry | null>();
  /** Positions in the list of the cards in `changes` (their built entry is out of date). */
  private stale = new Set<number>();
  private positions?: Map<string, number>;
  private catchingUp?: Promise<void>;
  /** Asked to catch up while catching up: once more after. */
  private again = false;

  constructor(private readonly db: KesherDb) {}

  /**
   * Load the in-memory list: the last one built, from its snapshot, with the cards changed since (a page
   * opens with search ready at once); with no usable snapshot, built from the cards (and kept for the next).
   */
  warm(): Promise<void> {
    this.building ??= this.open();
    return this.building;
  }

  private async open(): Promise<void> {
    const snapshot = await readSearchSnapshot(this.db).catch(() => undefined);
    const list = snapshot ? List.read(snapshot) : null;
    if (list && snapshot) {
      const { head, ids } = await cardsChangedSince(this.db, snapshot.seq);
      if (ids !== null && ids.length <= REBUILD_AFTER) {
        this.use(list, snapshot.seq);
        await this.take(ids, head);
        return;
      }
    }
    await this.build();
  }

  private async build(): Promise<void> {
    // The log's head first: a card written while the cards are read is caught up again after (harmless).
    const head = await cardLogHead(this.db);
    const cards = await this.db.cards.toArray();
    // Most recently contacted first: a scan that has its fill of best-ranked hits can stop early.
    const entries = cards
      .map(entryOf)
      .sort((a, b) => b.lastContactAt - a.lastContactAt || a.name.localeCompare(b.name));
    const list = List.of(entries);
    this.use(list, head);
    this.built = { list, seq: head };
    // Kept for the next page that opens, once this one is idle.
    setTimeout(() => void this.keep().catch(() => {}), SNAPSHOT_AFTER_MS);
  }

  /** The list built here, not yet kept for the next page. */
  private built?: { list: List; seq: number };

  /** Keep the list this page built for the next page that opens (then the log before it can go). */
  async keep(): Promise<void> {
    const built = this.built;
    if (!built) return;
    this.built = undefined;
    await writeSearchSnapshot(this.db, built.list.snapshot(built.seq));
    await trimCardLog(this.db, built.seq);
  }

  private use(list: List, seq: number): void {
    this.list = list;
    this.positions = undefined;
    this.changes = new Map();
    this.stale = new Set();
    this.seen = seq;
    this.nameIndex = undefined;
  }

  /**
   * Cards changed (here or anywhere): the list takes the cards the log names since it last looked — a few
   * reads, not the whole list again; many at once (an import) build it again. A search waits for either.
   */
  invalidate(): void {
    if (!this.list && !this.building) return;
    if (this.catchingUp) {
      this.again = true;
      return;
    }
    this.catchingUp = this.catchUp().finally(() => {
      this.catchingUp = undefined;
      if (this.again) {
        this.again = false;
        this.invalidate();
      }
    });
  }

  private async catchUp(): Promise<void> {
    await this.building;
    const { head, ids } = await cardsChangedSince(this.db, this.seen);
    if (ids === null || ids.length + this.changes.size > REBUILD_AFTER) {
      const next = this.build();
      this.building = next;
      await next;
      return;
    }
    await this.take(ids, head);
  }

  /** These cards as they are now, in place of their built entries. */
  private async take(ids: string[], head: number): Promise<void> {
    if (ids.length > 0) {
      const cards = await this.db.cards.bulkGet(ids);
      const list = this.list!;
      // Many cards: one map of every id; a few: each found in the ids' column.
      if (!this.positions && (ids.length > FEW || !list.fromSnapshot))
        this.positions = new Map(
          Array.from({ length: list.count }, (_, index) => [list.field('id', index), index]),
        );
      ids.forEach((id, index) => {
        const card = cards[index];
        this.changes.set(id, card ? entryOf(card) : null);
        const position = this.positions ? this.positions.get(id) : list.positionOf(id);
        if (position !== undefined && position >= 0) this.stale.add(position);
      });
      this.nameIndex = undefined;
    }
    this.seen = Math.max(this.seen, head);
  }

  async search(text: string, filters: SearchFilters = {}, limit = 50): Promise<CardSummary[]> {
    const query = parseQuery(text);
    if (!this.list) await this.warm();
    // The cards changed meanwhile are in (a few reads at most).
    await this.catchingUp;
    if (!query.digits && query.tokens.length === 0) {
      // No query: the most recently contacted cards (the list is kept in that order; changed cards join it).
      const wantedAll = filters.withOpenTasks ? limit * 4 : limit;
      const recent: Entry[] = [];
      const list = this.list;
      for (let index = 0; list && index < list.count && recent.length < wantedAll; index++) {
        if (this.stale.has(index)) continue;
        const entry = list.entry(index);
        if (this.passes(entry, filters)) recent.push(entry);
      }
      for (const entry of this.changes.values()) if (entry && this.passes(entry, filters)) recent.push(entry);
      if (this.changes.size > 0) recent.sort((a, b) => b.lastContactAt - a.lastContactAt);
      return (await this.applyTaskFilter(recent.slice(0, wantedAll), filters)).slice(0, limit).map(summaryOf);
    }
    const list = this.list!;
    // Candidates: the entries holding the query's longest word (a prefix for one letter, anywhere for
    // more); each is then ranked on all the words.
    const needle = query.digits ?? [...query.tokens].sort((a, b) => b.length - a.length)[0]!;
    const index = query.digits ? list.digits : list.words;
    // One letter: names that start with it (a whole list of words containing it helps nobody).
    const startsOnly = !query.digits && query.tokens.length === 1 && needle.length === 1;
    // Candidates able to reach a rank: any (2) → entries holding the needle anywhere; word starts (1) →
    // the needle after a word break; 0 → the name (or number) itself starting with it.
    const source = (maxRank: number, from: number) => {
      if (maxRank === 0)
        return query.digits
          ? list.digits.find(SEP + needle, from)
          : list.firsts.find(SEP + query.tokens[0]!, from);
      const anywhere = maxRank === 2 && needle.length >= (query.digits ? 3 : 2);
      return index.find(anywhere ? needle : SEP + needle, from);
    };
    // Entries come most recent first, so once the list is full only a better rank can enter it: the scan
    // narrows to the candidates able to rank better, and stops when the list is all rank 0.
    const wanted = filters.withOpenTasks ? limit * 4 : limit;
    const best: Hit[] = [];
    const offer = (hit: Hit) => {
      if (best.length === wanted && !better(hit, best[best.length - 1]!)) return;
      let slot = best.length;
      while (slot > 0 && better(hit, best[slot - 1]!)) slot--;
      best.splice(slot, 0, hit);
      if (best.length > wanted) best.pop();
    };
    let maxRank = startsOnly ? 0 : 2;
    let candidates = source(maxRank, 0);
    scan: for (;;) {
      for (const position of candidates) {
        if (this.stale.has(position)) continue;
        const entry = list.entry(position);
        const rank = rankEntry(query, entry);
        if (rank === null || rank > maxRank || !this.passes(entry, filters)) continue;
        offer({ rank, entry });
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
    // The best of the built list is known: the cards changed since compete with it.
    for (const entry of this.changes.values()) {
      if (!entry) continue;
      const rank = rankEntry(query, entry);
      if (rank !== null && (!startsOnly || rank === 0) && this.passes(entry, filters)) offer({ rank, entry });
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
    const list = this.list;
    if (!list) return null;
    if (!this.nameIndex) {
      const names = new Map<string, string>();
      for (let index = 0; index < list.count; index++)
        if (!this.stale.has(index)) names.set(list.field('id', index), list.field('name', index));
      for (const entry of this.changes.values()) if (entry) names.set(entry.id, entry.name);
      this.nameIndex = names;
    }
    return this.nameIndex;
  }
  private nameIndex?: Map<string, string>;

  /** How many cards are at each stage (the dashboard). */
  async stageCounts(): Promise<Map<Card['stage'], number>> {
    await this.warm();
    await this.catchingUp;
    const counts = new Map<Card['stage'], number>();
    const add = (stage: Card['stage']) => counts.set(stage, (counts.get(stage) ?? 0) + 1);
    const list = this.list;
    for (let index = 0; list && index < list.count; index++)
      if (!this.stale.has(index)) add(list.field('stage', index) as Card['stage']);
    for (const entry of this.changes.values()) if (entry) add(entry.stage);
    return counts;
  }

  /** Every tag in use, for the filter. */
  async tags(): Promise<string[]> {
    await this.warm();
    await this.catchingUp;
    const tags = new Set<string>();
    const list = this.list;
    for (let index = 0; list && index < list.count; index++)
      if (!this.stale.has(index)) for (const tag of list.tagsAt(index)) tags.add(tag);
    for (const entry of this.changes.values()) if (entry) for (const tag of entry.tags) tags.add(tag);
    return [...tags].sort();
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
