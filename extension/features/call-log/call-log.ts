/**
 * The call log's intake: every call frame is written in arrival order, and the journal cursor moves only
 * after the write, so a worker that dies mid-way asks the bridge again for what it had not stored.
 */
import type { PhoneOptions } from '../../../shared/phone';
import type { KesherDb } from '../../db/db';
import { logCall } from '../../db/interactions';
import type { JournalCursor } from '../settings/items';
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
      await logCall(this.deps.db, frame.call, await this.deps.phone());
      this.deps.onLogged(frame);
      await this.advance({ journalId: frame.journalId, seq: frame.seq });
    });
  }

  caughtUp(journalId: string, seq: number): Promise<void> {
    return this.enqueue(() => this.advance({ journalId, seq }));
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
