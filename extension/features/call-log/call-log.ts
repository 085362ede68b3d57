/**
 * The call log's intake: every call frame is written in arrival order, and the journal cursor moves only
 * after the write, so a worker that dies mid-way asks the bridge again for what it had not stored.
 */
import type { PhoneOptions } from '../../../shared/phone';
import type { KesherDb } from '../../db/db';
import { logCall } from '../../db/interactions';
import { officeMeta } from '../../db/sync';
import { type CallGap, callGapsItem, type JournalCursor, MAX_CALL_GAPS } from '../settings/items';
import type { CallFrame } from '../bridge-link/link';

export interface CallLogDeps {
  db: KesherDb;
  phone(): Promise<PhoneOptions>;
  saveCursor(cursor: JournalCursor): Promise<void>;
  onLogged(frame: CallFrame): void;
  onError(error: unknown): void;
}

export class CallLogIntake {
  private queue: Promise<void> = Promise.resolve();
  private highest: JournalCursor | null = null;

  constructor(private readonly deps: CallLogDeps) {}

  add(frame: CallFrame): Promise<void> {
    return this.enqueue(async () => {
      // In office mode the hub logs the call for everyone: this desk keeps its copy without pushing it.
      const localOnly = (await officeMeta(this.deps.db)).enabled;
      await logCall(this.deps.db, frame.call, await this.deps.phone(), { localOnly });
      this.deps.onLogged(frame);
      await this.advance({ journalId: frame.journalId, seq: frame.seq, at: Date.now() });
    });
  }

  caughtUp(journalId: string, seq: number): Promise<void> {
    return this.enqueue(() => this.advance({ journalId, seq, at: Date.now() }));
  }

  /** Resolves when everything handed in so far is stored. */
  drained(): Promise<void> {
    return this.queue;
  }

  private async advance(cursor: JournalCursor): Promise<void> {
    const sameJournal = this.highest?.journalId === cursor.journalId;
    if (sameJournal && this.highest!.seq >= cursor.seq) return;
    this.highest = cursor;
    await this.deps.saveCursor(cursor);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => this.deps.onError(error));
    return this.queue;
  }
}

/**
 * Keep a gap the bridge told of, once (a desk that reconnects before its catch-up finished hears of the same
 * gap again), newest last, at most MAX_CALL_GAPS.
 */
export async function recordCallGap(
  gap: Omit<CallGap, 'noticedAt'>,
  now = Date.now(),
  item: Pick<typeof callGapsItem, 'getValue' | 'setValue'> = callGapsItem,
): Promise<void> {
  const gaps = await item.getValue();
  if (gaps.some((known) => known.reason === gap.reason && known.until === gap.until)) return;
  await item.setValue([...gaps, { ...gap, noticedAt: now }].slice(-MAX_CALL_GAPS));
}
