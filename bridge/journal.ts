/**
 * Append-only journal on disk: every change of a call, with a sequence number. It survives restarts and
 * lets a reconnecting extension catch up (`hello { lastSeq }`), so a call that rang while the browser was
 * closed still reaches the call log. One JSON object per line; a torn last line (power cut mid-write) is
 * skipped on the next start, never fatal.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as v from 'valibot';
import { CallSnapshotSchema, type CallSnapshot } from '../shared/protocol';

export interface JournalEntry {
  seq: number;
  /** When the bridge recorded it (ms since the epoch). */
  at: number;
  call: CallSnapshot;
}

const HeaderSchema = v.object({ journal: v.literal('kesher'), id: v.string(), version: v.literal(1) });
const EntrySchema = v.object({ seq: v.number(), at: v.number(), call: CallSnapshotSchema });

export interface JournalOptions {
  /** How many entries are kept (in memory and, after compaction, on disk). */
  retain?: number;
  onWarning?: (message: string) => void;
}

export class Journal {
  readonly id: string;
  private entries: JournalEntry[] = [];
  private lastSeq = 0;
  private readonly retain: number;

  private constructor(
    private readonly path: string,
    id: string,
    options: JournalOptions,
  ) {
    this.id = id;
    this.retain = options.retain ?? 50_000;
  }

  static open(path: string, options: JournalOptions = {}): Journal {
    if (!existsSync(path)) {
      const journal = new Journal(path, randomUUID(), options);
      writeFileSync(path, `${JSON.stringify({ journal: 'kesher', id: journal.id, version: 1 })}\n`, {
        mode: 0o600,
      });
      return journal;
    }
    const lines = readFileSync(path, 'utf8').split('\n');
    const header = v.safeParse(HeaderSchema, safeJson(lines[0] ?? ''));
    if (!header.success) {
      throw new Error(
        `${path} is not a Kesher journal (first line unreadable); move it away to start a new one`,
      );
    }
    const journal = new Journal(path, header.output.id, options);
    let skipped = 0;
    for (const line of lines.slice(1)) {
      if (line.trim() === '') continue;
      const entry = v.safeParse(EntrySchema, safeJson(line));
      if (!entry.success || entry.output.seq <= journal.lastSeq) {
        skipped++;
        continue;
      }
      journal.entries.push(entry.output);
      journal.lastSeq = entry.output.seq;
    }
    if (skipped > 0) options.onWarning?.(`journal: skipped ${skipped} unreadable line(s) in ${path}`);
    if (journal.entries.length > journal.retain) journal.compact();
    return journal;
  }

  get seq(): number {
    return this.lastSeq;
  }

  get size(): number {
    return this.entries.length;
  }

  append(call: CallSnapshot, at = Date.now()): JournalEntry {
    const entry: JournalEntry = { seq: this.lastSeq + 1, at, call };
    // Synchronous on purpose: the entry is on disk before any client hears of it (tens of µs, no fsync).
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
    this.lastSeq = entry.seq;
    this.entries.push(entry);
    if (this.entries.length > this.retain * 2) this.compact();
    return entry;
  }

  /** Entries after `seq`, oldest first. */
  since(seq: number): JournalEntry[] {
    if (seq >= this.lastSeq) return [];
    // Binary search: sequence numbers only grow (a skipped torn line may leave a gap).
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle]!.seq <= seq) low = middle + 1;
      else high = middle;
    }
    return this.entries.slice(low);
  }

  all(): readonly JournalEntry[] {
    return this.entries;
  }

  private compact(): void {
    this.entries = this.entries.slice(-this.retain);
    const tmp = `${this.path}.tmp`;
    const header = JSON.stringify({ journal: 'kesher', id: this.id, version: 1 });
    writeFileSync(tmp, `${[header, ...this.entries.map((entry) => JSON.stringify(entry))].join('\n')}\n`, {
      mode: 0o600,
    });
    renameSync(tmp, this.path);
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
