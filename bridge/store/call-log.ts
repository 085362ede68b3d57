/**
 * Office mode's call log, written by the hub: every call the bridge relays becomes one interaction in the
 * office store (`call:<callId>`, shared/call-log.ts), on its caller's card (matched here by the cards' phone
 * keys), whether or not a browser is open. Desks keep their own copy for their screens and push nothing for
 * a call, so a ring group of five desks is one entry. The journal is the source: each entry is logged once
 * (the change id is the journal's id and seq), and calls the store missed (it was not open, or PostgreSQL
 * was down) are logged from the journal when it opens.
 */
import { callInteraction, callInteractionId, chooseCaller, loggedOn } from '../../shared/call-log';
import { type Interaction, UNKNOWN_CARD } from '../../shared/records';
import { type Change, diffRecord } from '../../shared/sync';
import type { Journal, JournalEntry } from '../journal';
import type { Log } from '../log';
import type { OfficeStore } from './store';

/** Who the hub's own changes are by (the office's history shows it). */
export const HUB_AUTHOR = 'phone system';
/** Journal entries per push when catching up. */
const BATCH = 200;

/** A write that failed is tried again by itself after this long, doubling up to RETRY_MAX_MS. */
const RETRY_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export class HubCallLog {
  private queue: Promise<void> = Promise.resolve();
  private retry?: NodeJS.Timeout;
  private retryMs = RETRY_MS;
  private stopped = false;

  constructor(
    private readonly store: OfficeStore,
    private readonly journal: Journal,
    private readonly log: Log,
    /** After each write: desks in step hear of it. */
    private readonly written: () => void,
  ) {}

  private get metaKey(): string {
    return `calls_logged:${this.journal.id}`;
  }

  /** The journal's last entry the store has logged (read from the store once, then kept here). */
  private logged?: number;

  /** Calls the journal holds that the store has not logged yet (the store just opened). */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      const count = await this.logPending();
      if (count > 0)
        this.log('info', `logged ${count} call events from the journal in the office store`, {
          event: 'calls-caught-up',
          entries: count,
        });
    });
  }

  /** A call event the journal kept: logged with anything before it that is not in the store yet. */
  add(): Promise<void> {
    return this.enqueue(async () => {
      await this.logPending();
    });
  }

  /**
   * Everything after the last entry logged, in batches; the cursor moves only after a batch committed, so
   * a write that failed (PostgreSQL away) is written again with the next call, never skipped past.
   */
  private async logPending(): Promise<number> {
    this.logged ??= Number((await this.store.meta(this.metaKey)) ?? 0);
    const entries = this.journal.since(this.logged);
    for (let start = 0; start < entries.length; start += BATCH) {
      const batch = entries.slice(start, start + BATCH);
      await this.write(batch);
      this.logged = batch.at(-1)!.seq;
    }
    return entries.length;
  }

  /** Resolves when everything handed in so far is written (or failed and was said). */
  drained(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(work)
      .then(() => {
        this.retryMs = RETRY_MS;
      })
      .catch((error: Error) => {
        // The journal keeps the call: it is written again soon by itself (PostgreSQL back), or with the
        // next call, or at the next open of the store, whichever comes first.
        this.log('warn', `office call log: ${error.message}`, { event: 'call-log-failed' });
        this.tryAgain();
      });
    return this.queue;
  }

  private tryAgain(): void {
    if (this.retry || this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.add();
    }, delay);
    this.retry.unref();
  }

  /** The bridge stops: no more retries. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async write(entries: readonly JournalEntry[]): Promise<void> {
    const changes: Change[] = [];
    // Within a batch one call comes several times (ringing, answered, ended): each on top of the last.
    const latest = new Map<string, Interaction | undefined>();
    const contact = new Map<string, number>();
    for (const entry of entries) {
      const id = callInteractionId(entry.call.callId);
      if (!latest.has(id)) {
        const stored = await this.store.record('interactions', id);
        latest.set(id, stored?.data as Interaction | undefined);
      }
      const before = latest.get(id);
      const next = callInteraction(before, entry.call, this.store.phone);
      if (next.cardId === UNKNOWN_CARD) {
        const matches = await this.store.cardsByKeys(next.numberKeys);
        next.cardId = loggedOn(
          await chooseCaller(
            matches,
            async (cardId) => (await this.store.record('cards', cardId))?.data as never,
          ),
        );
      }
      const change = diffRecord(
        'interactions',
        id,
        before as unknown as Record<string, unknown> | undefined,
        next as unknown as Record<string, unknown>,
        entry.at,
        `hub:${this.journal.id}:${entry.seq}`,
      );
      if (change) changes.push(change);
      latest.set(id, next);
      if (next.cardId !== UNKNOWN_CARD)
        contact.set(next.cardId, Math.max(contact.get(next.cardId) ?? 0, next.at));
    }
    // The card's last contact follows its calls, as a desk's own log does.
    for (const [cardId, at] of contact) {
      const card = await this.store.record('cards', cardId);
      const last = Number(card?.data.lastContactAt ?? 0);
      if (!card || card.deleted || last >= at) continue;
      changes.push({
        id: `hub:${this.journal.id}:${entries.at(-1)!.seq}:contact:${cardId}`,
        table: 'cards',
        rowId: cardId,
        op: 'put',
        fields: { lastContactAt: at },
        at: Date.now(),
      });
    }
    const last = String(entries.at(-1)!.seq);
    await this.store.push(
      changes,
      HUB_AUTHOR,
      { storeId: null, baseSeq: 0 },
      { key: this.metaKey, value: last },
    );
    if (changes.length > 0) this.written();
  }
}
