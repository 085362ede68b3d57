/**
 * Append-only journal on disk: every change of a call, with a sequence number. It survives restarts and
 * lets a reconnecting extension catch up (`hello { lastSeq }`), so a call that rang while the browser was
 * closed still reaches the call log. One JSON object per line; a torn last line (power cut mid-write) is
 * skipped on the next start, never fatal.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  openSync,
  writeSync,
  existsSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import * as v from 'valibot';
import { CallSnapshotSchema, type CallSnapshot } from '../shared/protocol';

/** Why the journal cannot be written right now, in words for /health and the doctor. */
export interface JournalTrouble {
  error: string;
  since: number;
  /** Entries kept in memory (and relayed) that wait to be written. */
  unwritten: number;
}

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

const APPEND_EXISTING = constants.O_WRONLY | constants.O_APPEND;

function describeWriteError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOSPC') return 'disk full';
  if (error.code === 'EDQUOT') return 'disk quota exceeded';
  if (error.code === 'EACCES' || error.code === 'EPERM') return 'permission denied';
  if (error.code === 'EROFS') return 'the disk is read-only';
  return error.message;
}

export class Journal {
  readonly id: string;
  private entries: JournalEntry[] = [];
  private lastSeq = 0;
  private readonly retain: number;
  /** Lines not yet on disk (writing failed): written, in order, as soon as writing works again. */
  private unwritten: string[] = [];
  private trouble?: JournalTrouble;
  private retryTimer?: NodeJS.Timeout;

  private constructor(
    private readonly path: string,
    id: string,
    private readonly options: JournalOptions,
  ) {
    this.id = id;
    this.retain = options.retain ?? 50_000;
  }

  private static header(id: string): string {
    return JSON.stringify({ journal: 'kesher', id, version: 1 });
  }

  static open(path: string, options: JournalOptions = {}): Journal {
    if (!existsSync(path)) {
      const journal = new Journal(path, randomUUID(), options);
      writeFileSync(path, `${Journal.header(journal.id)}\n`, { mode: 0o600 });
      return journal;
    }
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    const header = v.safeParse(HeaderSchema, safeJson(lines[0] ?? ''));
    if (!header.success) {
      throw new Error(
        `${path} is not a Kesher journal (first line unreadable); move it away to start a new one`,
      );
    }
    const journal = new Journal(path, header.output.id, options);
    // A torn last line (power cut mid-write) is cut off now, so the next entry starts on a line of its own.
    if (text.length > 0 && !text.endsWith('\n'))
      truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    let skipped = 0;
    for (const line of lines.slice(1)) {
      if (line.trim() === '') continue;
      const entry = readEntry(line);
      if (!entry || entry.seq <= journal.lastSeq) {
        skipped++;
        continue;
      }
      journal.entries.push(entry);
      journal.lastSeq = entry.seq;
    }
    // A skipped line may have been a sequence number an extension already holds: never hand it out again.
    if (skipped > 0) journal.lastSeq++;
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

  /** Why writing fails right now, if it does. */
  get problem(): JournalTrouble | undefined {
    return this.trouble && { ...this.trouble, unwritten: this.unwritten.length };
  }

  /**
   * Keep a call's change. Synchronous on purpose: the entry is on disk before any client hears of it (tens
   * of µs, no fsync). When the disk cannot take it (full, gone), the entry is kept in memory and relayed all
   * the same, and written as soon as the disk takes it again: a live call is never lost to a full disk.
   */
  append(call: CallSnapshot, at = Date.now()): JournalEntry {
    const entry: JournalEntry = { seq: this.lastSeq + 1, at, call };
    this.lastSeq = entry.seq;
    this.entries.push(entry);
    this.unwritten.push(`${JSON.stringify(entry)}\n`);
    this.flush();
    if (this.entries.length > this.retain * 2) {
      // While the disk refuses writes only memory is trimmed; the file is compacted once it takes them again.
      if (this.trouble) this.entries = this.entries.slice(-this.retain);
      else this.compact();
    }
    return entry;
  }

  /** Write what waits; on failure keep it and try again shortly. */
  private flush(): void {
    if (this.unwritten.length === 0) return;
    const data = this.unwritten.join('');
    try {
      try {
        // Never create the file here: a journal deleted under a running bridge is re-made whole below.
        const fd = openSync(this.path, APPEND_EXISTING);
        try {
          writeSync(fd, data);
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.options.onWarning?.(`journal: ${this.path} was removed while running; writing it anew`);
        this.rewrite();
        this.unwritten = [];
        this.recovered();
        return;
      }
      this.unwritten = [];
      this.recovered();
    } catch (error) {
      const reason = describeWriteError(error as NodeJS.ErrnoException);
      if (!this.trouble || this.trouble.error !== reason) {
        this.trouble = { error: reason, since: this.trouble?.since ?? Date.now(), unwritten: 0 };
        this.options.onWarning?.(
          `journal cannot be written: ${reason}; calls are still relayed and will be written when it can`,
        );
      }
      // Bounded: past the retained size the oldest unwritten lines go (they are still in memory for catch-up).
      if (this.unwritten.length > this.retain) this.unwritten = this.unwritten.slice(-this.retain);
      if (!this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.flush();
        }, 2_000);
        this.retryTimer.unref();
      }
    }
  }

  private recovered(): void {
    if (!this.trouble) return;
    this.trouble = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.options.onWarning?.('journal: writing again');
  }

  /** Stop retrying (the bridge is shutting down). */
  close(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** The oldest entry still held (catch-up from before it has a gap). */
  get oldest(): JournalEntry | undefined {
    return this.entries[0];
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
    try {
      this.rewrite();
    } catch (error) {
      this.options.onWarning?.(
        `journal: compaction failed (${describeWriteError(error as NodeJS.ErrnoException)})`,
      );
    }
  }

  /** The whole file anew from memory (header first, owner-only), replacing the old one atomically. */
  private rewrite(): void {
    const tmp = `${this.path}.tmp`;
    const lines = [Journal.header(this.id), ...this.entries.map((entry) => JSON.stringify(entry))];
    writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/** One line of the journal, checked against the same schema the extension uses (50,000 lines: ~0.2 s). */
function readEntry(line: string): JournalEntry | undefined {
  const entry = v.safeParse(EntrySchema, safeJson(line));
  return entry.success ? entry.output : undefined;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
