/**
 * Office mode on the link: desks push their changes and pull the hub's, over the WebSocket they already
 * keep. A desk that pulled once hears of every later change (its own bridge's pushes, and other bridges'
 * through the store's notifications) without asking again. Every refusal is a `sync-error` frame naming
 * the request; nothing of a refused push is applied.
 */
import { checkPush } from '../../shared/sync';
import type { Journal } from '../journal';
import type { Log } from '../log';
import { HubCallLog } from '../store/call-log';
import { CHANGES_CHANNEL, type HubChange, type OfficeStore, StoreError, visibleTo } from '../store/store';
import type { Client, Clients } from './clients';

/** What /health and the doctor say about the office store. */
export interface StoreStatus {
  state: 'not-opened' | 'open' | 'failed';
  kind?: 'pglite' | 'postgres';
  storeId?: string;
  schema?: { current: number; latest: number };
  headSeq?: number;
  /** Desks that pulled and are kept up to date on this bridge. */
  desks?: number;
  error?: string;
}

/** One desk as the doctor shows it: who, whether it is here, how far behind the hub. */
export interface DeskReport {
  name: string;
  userId?: string;
  connected: boolean;
  /** The last hub change it has (live for a connected desk; when it went away otherwise). */
  cursor?: number;
  behind?: number;
  lastSeen?: number;
  /** A pairing code was issued and not used yet. */
  pending?: boolean;
}

/** Who made a change: with the single pairing token, the office itself (per-user tokens name the user). */
export const OFFICE_AUTHOR = 'office';

/** Whose eyes a desk's frames are for: its user, or the office token's desks together. */
const viewerOf = (client: Client) => client.user?.name ?? OFFICE_AUTHOR;

/** How long a desk's coming or going waits for others before every desk is told. */
const PEOPLE_BATCH_MS = 250;

/** Changes per sync-changes frame. */
const PAGE = 500;

interface Subscriber {
  cursor: number;
  sending: boolean;
  again: boolean;
}

export class SyncHub {
  private store?: Promise<OfficeStore>;
  private readonly subscribers = new Map<Client, Subscriber>();
  private stopListening?: () => Promise<void>;
  private state: StoreStatus = { state: 'not-opened' };
  /** The office's call log, written here (once the store is open). */
  private callLog?: HubCallLog;

  constructor(
    private readonly open: () => Promise<OfficeStore>,
    private readonly clients: Clients,
    private readonly log: Log,
    /** The bridge's call journal: with it, the hub logs every call in the store. */
    private readonly journal?: Journal,
  ) {}

  /**
   * Who answers which extension, to one desk (after its hello) or to every desk (a user was added or
   * revoked). Only from a store that is open: users live there, and nobody opens it just for this.
   */
  async sendPeople(client?: Client): Promise<void> {
    if (this.state.state !== 'open' || !this.store) return;
    try {
      const users = await (await this.store).users.list();
      const here = this.clients.userIds();
      const people = users
        .filter((user) => !user.revokedAt)
        .map((user) => ({ name: user.name, extensions: user.extensions, online: here.has(user.id) }));
      if (client) this.clients.send(client, { type: 'people', people });
      else this.clients.broadcast({ type: 'people', people });
    } catch (error) {
      this.log('warn', `office users: ${(error as Error).message}`, { event: 'people-failed' });
    }
  }

  private peopleTimer?: NodeJS.Timeout;

  /**
   * A user's desk came or went: every desk hears who is here (colleagues' list: free or away). Batched: a
   * bridge restarting brings every desk back within a moment, and one frame each is enough.
   */
  peopleChanged(): void {
    if (this.peopleTimer) return;
    this.peopleTimer = setTimeout(() => {
      this.peopleTimer = undefined;
      void this.sendPeople();
    }, PEOPLE_BATCH_MS);
    this.peopleTimer.unref();
  }

  /** The journal kept a call event: logged in the office store (when there is one open). */
  logCall(): void {
    void this.callLog?.add();
  }

  /** The store, opened on first use (a bridge nobody syncs with never starts its database). */
  ready(): Promise<OfficeStore> {
    if (!this.store) {
      this.store = this.open().then(async (store) => {
        // (Every bridge hears it, this one too: a desk already sent the news from memory needs no read.)
        this.stopListening = await store.sql.listen(CHANGES_CHANNEL, (payload) => {
          // No payload: the listener came back after losing the database; anything may have happened.
          const head = payload === '' ? Number.POSITIVE_INFINITY : Number(payload);
          const behind = [...this.subscribers.values()].some(
            (subscriber) => subscriber.sending || !(subscriber.cursor >= head),
          );
          if (behind) void this.fanOut();
        });
        this.state = {
          state: 'open',
          kind: store.sql.kind,
          storeId: store.storeId,
          schema: await store.schemaVersion(),
          headSeq: await store.headSeq(),
        };
        this.log('info', `office store open (${store.sql.kind}), store ${store.storeId}`, {
          event: 'store-open',
          kind: store.sql.kind,
          storeId: store.storeId,
        });
        if (this.journal) {
          this.callLog = new HubCallLog(store, this.journal, this.log, () => void this.fanOut());
          // Calls that came while the store was not open (every browser closed, PostgreSQL down).
          void this.callLog.catchUp();
        }
        return store;
      });
      this.store.catch((error: Error) => {
        this.state = { state: 'failed', error: error.message };
        this.log('warn', `office store: ${error.message}`, { event: 'store-failed' });
        this.store = undefined;
      });
    }
    return this.store;
  }

  status(): StoreStatus {
    return { ...this.state, desks: this.subscribers.size };
  }

  forget(client: Client): void {
    if (client.user) this.peopleChanged();
    const subscriber = this.subscribers.get(client);
    this.subscribers.delete(client);
    // Where the user's desk stood when it went away: the doctor's "behind by N" while it is gone.
    if (subscriber && client.user && this.store)
      void this.store.then((store) => store.users.synced(client.user!.id, subscriber.cursor)).catch(() => {});
  }

  /** Every desk: each user's (connected or not) and each desk on the office token that is connected. */
  async desks(): Promise<{ headSeq: number; desks: DeskReport[] }> {
    const store = await this.ready();
    const headSeq = await store.headSeq();
    const live = [...this.subscribers].map(([client, subscriber]) => ({ client, cursor: subscriber.cursor }));
    const desks: DeskReport[] = [];
    for (const user of await store.users.list()) {
      if (user.revokedAt) continue;
      const here = live.filter((item) => item.client.user?.id === user.id);
      const cursor = here.length > 0 ? Math.min(...here.map((item) => item.cursor)) : user.syncedSeq;
      desks.push({
        name: user.name,
        userId: user.id,
        connected: here.length > 0,
        ...(cursor !== undefined ? { cursor, behind: Math.max(0, headSeq - cursor) } : {}),
        ...(user.lastSeen ? { lastSeen: user.lastSeen } : {}),
        ...(user.pending ? { pending: true } : {}),
      });
    }
    for (const { client, cursor } of live.filter((item) => !item.client.user))
      desks.push({
        name: `desk #${client.id} (office token)`,
        connected: true,
        cursor,
        behind: Math.max(0, headSeq - cursor),
      });
    return { headSeq, desks };
  }

  async push(
    client: Client,
    frame: { requestId: string; storeId: string | null; baseSeq: number; changes: unknown[] },
    author: string,
  ): Promise<void> {
    const fail = (code: 'bad-change' | 'no-store' | StoreError['code'], reason: string) =>
      this.clients.send(client, { type: 'sync-error', requestId: frame.requestId, code, reason });
    const checked = checkPush(frame.changes);
    if (!checked.ok) return fail('bad-change', checked.reason);
    let news: HubChange[] = [];
    let store: OfficeStore;
    try {
      store = await this.ready();
    } catch (error) {
      return fail('no-store', `the office store is not available: ${(error as Error).message}`);
    }
    try {
      const result = await store.push(checked.changes, author, {
        storeId: frame.storeId,
        baseSeq: frame.baseSeq,
      });
      this.clients.send(client, {
        type: 'sync-ack',
        requestId: frame.requestId,
        applied: result.applied.map(({ id, seq, duplicate }) => ({ id, seq, duplicate })),
        headSeq: result.headSeq,
      });
      this.state.headSeq = result.headSeq;
      // What this push added, as the store now holds it (a merge is stored as more than it was sent: read).
      news = checked.changes.some((change) => change.op === 'merge' || change.op === 'restore')
        ? []
        : checked.changes
            .map((change, index) => ({
              ...change,
              seq: result.applied[index]!.seq,
              author,
              ...(result.applied[index]!.privateTo !== undefined
                ? { privateTo: result.applied[index]!.privateTo }
                : {}),
            }))
            .filter((_, index) => !result.applied[index]!.duplicate)
            .sort((a, b) => a.seq - b.seq);
      // A desk sends again what it never heard acknowledged (its worker stopped, the link dropped): those
      // are duplicates the store already has, counted so a log reader can tell a retry from new work.
      const duplicates = result.applied.filter((item) => item.duplicate).length;
      this.log(
        'info',
        `desk #${client.id} pushed ${checked.changes.length} changes${duplicates ? ` (${duplicates} it had sent before)` : ''}`,
        {
          event: 'sync-push',
          client: client.id,
          changes: checked.changes.length,
          duplicates,
          headSeq: result.headSeq,
        },
      );
    } catch (error) {
      if (error instanceof StoreError) return fail(error.code, error.message);
      this.log('warn', `push from desk #${client.id} failed: ${(error as Error).message}`, {
        event: 'sync-failed',
      });
      return fail('no-store', `the office store could not take the push: ${(error as Error).message}`);
    }
    if (!this.fromMemory(store, news)) void this.fanOut();
  }

  /**
   * A push's news straight to every desk that had everything before it: no read of the store, and no wait
   * behind the pushes queued for it (the embedded store has one connection). Any other desk — behind,
   * downloading, or the news not following on from its cursor — is left to `fanOut`: false then.
   */
  private fromMemory(store: OfficeStore, news: HubChange[]): boolean {
    if (news.length === 0 || this.fanning) return false;
    const first = news[0]!.seq;
    const last = news.at(-1)!.seq;
    if (last - first + 1 !== news.length) return false;
    let everyone = true;
    for (const [client, subscriber] of this.subscribers) {
      if (subscriber.cursor >= last) continue;
      if (subscriber.sending || subscriber.cursor !== first - 1) {
        everyone = false;
        continue;
      }
      subscriber.cursor = last;
      this.clients.send(client, {
        type: 'sync-changes',
        storeId: store.storeId,
        changes: visibleTo(news, viewerOf(client)),
        headSeq: last,
        more: false,
        through: last,
      });
    }
    return everyone;
  }

  /** The store is away (or failed mid-answer): the desk hears why, and asks again later. */
  private storeAway(client: Client, requestId: string, error: unknown): void {
    this.clients.send(client, {
      type: 'sync-error',
      requestId,
      code: 'no-store',
      reason: `the office store is not available: ${(error as Error).message}`,
    });
  }

  /** A card's history, from the change log: who changed which fields, when (the hub's clock). */
  async history(client: Client, frame: { requestId: string; cardId: string }): Promise<void> {
    try {
      const store = await this.ready();
      const changes = await store.history(frame.cardId);
      this.clients.send(client, {
        type: 'sync-history',
        requestId: frame.requestId,
        cardId: frame.cardId,
        entries: changes.map((change) => ({
          seq: change.seq,
          at: change.at,
          author: change.author,
          op: change.op,
          fields: [...Object.keys(change.fields ?? {}), ...Object.keys(change.sets ?? {})].filter(
            (field) => field !== 'id' && field !== 'updatedAt' && field !== 'createdAt',
          ),
          ...(change.revive ? { created: true } : {}),
        })),
      });
    } catch (error) {
      this.storeAway(client, frame.requestId, error);
    }
  }

  /** The deleted cards anyone may restore. */
  async deleted(client: Client, frame: { requestId: string }): Promise<void> {
    try {
      const store = await this.ready();
      this.clients.send(client, {
        type: 'sync-deleted',
        requestId: frame.requestId,
        cards: await store.deletedCards(),
      });
    } catch (error) {
      this.storeAway(client, frame.requestId, error);
    }
  }

  async pull(
    client: Client,
    frame: { requestId: string; storeId: string | null; afterSeq: number },
  ): Promise<void> {
    let store: OfficeStore;
    try {
      store = await this.ready();
    } catch (error) {
      this.storeAway(client, frame.requestId, error);
      return;
    }
    if (frame.storeId !== null && frame.storeId !== store.storeId) {
      this.clients.send(client, {
        type: 'sync-error',
        requestId: frame.requestId,
        code: 'store-replaced',
        reason: 'the office store was replaced: download it again (pull from 0 with no store id)',
      });
      return;
    }
    this.subscribers.set(client, { cursor: frame.afterSeq, sending: false, again: false });
    if (client.user) void store.users.synced(client.user.id, frame.afterSeq).catch(() => {});
    try {
      await this.send(client, store, true);
    } catch (error) {
      // The store went away mid-answer: the desk hears why and asks again later; the bridge stays up.
      if (this.subscribers.get(client)?.sending === false) this.subscribers.delete(client);
      this.log('warn', `office store: a desk's pull failed: ${(error as Error).message}`, {
        event: 'sync-pull-failed',
      });
      this.storeAway(client, frame.requestId, error);
    }
  }

  /** Every subscribed desk gets what it has not had yet. */
  private fanning = false;
  private fanAgain = false;

  /**
   * Every desk in step gets the news: one read of the changes for all of them (twenty desks cost one query,
   * not twenty), each desk sent the part after its own cursor. A desk still downloading (its own loop) is
   * told to look again when it finishes.
   */
  async fanOut(): Promise<void> {
    if (!this.store) return;
    if (this.fanning) {
      this.fanAgain = true;
      return;
    }
    this.fanning = true;
    try {
      const store = await this.store;
      do {
        this.fanAgain = false;
        for (;;) {
          const ready = [...this.subscribers].filter(([, subscriber]) => !subscriber.sending);
          for (const [, subscriber] of this.subscribers) if (subscriber.sending) subscriber.again = true;
          if (ready.length === 0) break;
          const from = Math.min(...ready.map(([, subscriber]) => subscriber.cursor));
          const page = await store.changesSince(from, PAGE);
          if (page.length === 0) break;
          const headSeq = page.at(-1)!.seq;
          this.state.headSeq = Math.max(this.state.headSeq ?? 0, headSeq);
          for (const [client, subscriber] of ready) {
            // A desk that pulled again meanwhile has a new subscription (and its own loop): never both.
            if (subscriber.sending || this.subscribers.get(client) !== subscriber) continue;
            const part = page.filter((change) => change.seq > subscriber.cursor);
            if (part.length === 0) continue;
            subscriber.cursor = part.at(-1)!.seq;
            this.clients.send(client, {
              type: 'sync-changes',
              storeId: store.storeId,
              changes: visibleTo(part, viewerOf(client)),
              headSeq,
              more: page.length === PAGE,
              through: subscriber.cursor,
            });
          }
          if (page.length < PAGE) break;
        }
      } while (this.fanAgain);
    } catch (error) {
      // The store is away (PostgreSQL stopped): desks get the news when it is back (its listener
      // reconnects and asks for this again), and the bridge goes on relaying calls meanwhile.
      this.log(
        'warn',
        `office store: desks could not be sent the latest changes: ${(error as Error).message}`,
        {
          event: 'sync-fanout-failed',
        },
      );
    } finally {
      this.fanning = false;
    }
  }

  /** `answer`: a pull is answered even when there is nothing new (the desk learns the head and store id). */
  private async send(client: Client, store: OfficeStore, answer = false): Promise<void> {
    const subscriber = this.subscribers.get(client);
    if (!subscriber) return;
    // One sender per desk: news arriving meanwhile is sent by the same loop, in order, never twice.
    if (subscriber.sending) {
      subscriber.again = true;
      return;
    }
    subscriber.sending = true;
    try {
      do {
        subscriber.again = false;
        for (;;) {
          const changes = await store.changesSince(subscriber.cursor, PAGE + 1);
          const page = changes.slice(0, PAGE);
          if (page.length === 0 && !answer) break;
          answer = false;
          const headSeq = await store.headSeq();
          // Checked after the last wait and before the send: a newer pull's loop owns this desk now.
          if (this.subscribers.get(client) !== subscriber) return;
          if (page.length > 0) subscriber.cursor = page.at(-1)!.seq;
          await new Promise<void>((resolve) =>
            this.clients.send(
              client,
              {
                type: 'sync-changes',
                storeId: store.storeId,
                changes: visibleTo(page, viewerOf(client)),
                headSeq,
                more: changes.length > PAGE,
                ...(page.length > 0 ? { through: subscriber.cursor } : {}),
              },
              resolve,
            ),
          );
          if (changes.length <= PAGE) break;
        }
      } while (subscriber.again);
    } finally {
      subscriber.sending = false;
    }
    // News that came while this desk downloaded reaches it through the shared round.
    void this.fanOut();
  }

  async close(): Promise<void> {
    clearTimeout(this.peopleTimer);
    this.callLog?.stop();
    await this.callLog?.drained();
    await this.stopListening?.();
    if (this.store) await (await this.store.catch(() => undefined))?.close();
  }
}
