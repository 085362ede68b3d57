/**
 * The worker side of office mode: this desk mirrors the office store its bridge keeps. On every connect it
 * pulls the hub's changes after its cursor (and hears every later one), and pushes its outbox — one push at a
 * time, each acknowledged before its changes leave the outbox, so a worker stopped mid-push sends them again
 * and the hub applies them once. The pop never waits for any of it: lookups stay local.
 */
import type { ClientFrame } from '../../../shared/protocol';
import { checkHubChanges, type OrderedChange } from '../../../shared/sync';
import {
  acknowledge,
  applyHubChanges,
  disableOffice,
  enableOffice,
  forgetHub,
  joinCandidates,
  queueRestore,
  officeMeta,
  pendingChanges,
  pendingCount,
} from '../../db/sync';
import {
  broadcast,
  type DeletedCard,
  type Handlers,
  type HistoryEntry,
  type JoinPreview,
  type LinkState,
  type SyncStatus,
} from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import { bridgeApiUrl, type SyncFrame } from '../bridge-link/link';
import { bridgeTokenItem, bridgeUrlItem, syncStatusItem } from '../settings/items';

/** How long a desk waits before asking a hub whose store was away again. */
export const STORE_RETRY_MS = 5_000;
/** Changes per push (the hub takes at most 500; a card's photo makes a change large). */
const PUSH_BATCH = 100;

/** Hub changes applied in one transaction at most. */
const APPLY_BATCH = 2000;
/** How far behind the hub a desk is before its settings show a download's progress. */
const DOWNLOAD_SHOWN_FROM = 500;
/** How long a question to the hub (a card's history) waits for its answer. */
const ASK_TIMEOUT_MS = 10_000;
/** Cards per preview request (the hub's limit). */
const PREVIEW_BATCH = 2000;

/** Ask the hub which of this desk's cards it has already (POST /api/v1/join-preview, in batches). */
async function previewJoin(db: WorkerContext['db']): Promise<JoinPreview> {
  const [url, token] = await Promise.all([bridgeUrlItem.getValue(), bridgeTokenItem.getValue()]);
  const { counts, cards } = await joinCandidates(db);
  const names = new Map(cards.map((card) => [card.id, card.name]));
  const matches: JoinPreview['matches'] = [];
  for (let start = 0; start < cards.length; start += PREVIEW_BATCH) {
    let response: Response;
    try {
      response = await fetch(bridgeApiUrl(url, '/api/v1/join-preview'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ cards: cards.slice(start, start + PREVIEW_BATCH) }),
      });
    } catch {
      throw new Error('The bridge is not answering: the preview needs the office store');
    }
    const body = (await response.json().catch(() => ({}))) as {
      matches?: Array<Omit<JoinPreview['matches'][number], 'deskName'>>;
      error?: string;
    };
    if (!response.ok || !body.matches)
      throw new Error(body.error ?? `The bridge answered ${response.status}`);
    for (const match of body.matches) matches.push({ ...match, deskName: names.get(match.deskId) ?? '' });
  }
  // Listed by the desk's names, as the user knows their cards.
  matches.sort((a, b) => a.deskName.localeCompare(b.deskName) || a.deskId.localeCompare(b.deskId));
  return { upload: counts, matches, separate: counts.cards - matches.length };
}

export function installOfficeSync(
  ctx: WorkerContext,
  send: (frame: ClientFrame) => boolean,
  deps: {
    /** The hub's changes were applied here (in order; `cursor`: where this desk now stands). */
    onApplied?: (changes: readonly OrderedChange[], cursor: number) => void;
  } = {},
) {
  const { db } = ctx;
  let connected = false;
  let offlineSince: number | undefined = Date.now();
  let inflight: { requestId: string; seqs: number[] } | undefined;
  let refused: string | undefined;
  /** The hub sent a change this desk cannot read: nothing more is applied until the link comes back. */
  let unreadable: string | undefined;
  /** The hub's store is away for now (its PostgreSQL restarting): asked again after a while. */
  let unavailable: string | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The hub's last change, as its pages say (a desk far behind it is downloading). */
  let hubHead = 0;
  /**
   * The hub's pages waiting to be applied, in order. Whatever arrived while the last write ran goes in the
   * next one together (up to APPLY_BATCH changes): a download is a few large transactions, not hundreds,
   * and a busy office's edits hold the cards table for a moment a few times a second, not forty.
   */
  const incoming: Array<{ storeId: string; changes: OrderedChange[]; through?: number }> = [];
  let draining = false;
  /** Records this worker created while downloading into empty tables (see applyHubChanges). */
  let fresh: Set<string> | undefined;
  const drain = async () => {
    draining = true;
    try {
      while (incoming.length > 0) {
        const storeId = incoming[0]!.storeId;
        const batch: OrderedChange[] = [];
        let through = 0;
        while (incoming.length > 0 && incoming[0]!.storeId === storeId && batch.length < APPLY_BATCH) {
          const page = incoming.shift()!;
          batch.push(...page.changes);
          through = Math.max(through, page.through ?? 0);
        }
        try {
          // A call ringing here is looked up first: the office's edits wait the moment its pop takes.
          await ctx.afterRinging();
          const { touched, cursor } = await applyHubChanges(db, storeId, batch, ctx.phone(), fresh, through);
          if (touched.size > 0) await ctx.changed();
          deps.onApplied?.(batch, cursor);
          if (fresh && incoming.length === 0) fresh = undefined;
          await publish();
        } catch (error) {
          ctx.log(`office sync: applying the hub's changes failed: ${(error as Error).message}`);
        }
      }
    } finally {
      draining = false;
    }
  };

  const status = async (): Promise<SyncStatus> => {
    const meta = await officeMeta(db);
    if (!meta.enabled) return { state: 'off', waiting: 0 };
    const waiting = await pendingCount(db);
    const problem = refused ?? unreadable ?? unavailable;
    if (problem) return { state: 'error', waiting, detail: problem };
    if (!connected) return { state: 'offline', waiting, since: offlineSince };
    // More than a page behind: the office store is on its way down (a new desk, a long absence).
    const download =
      hubHead - meta.cursor > DOWNLOAD_SHOWN_FROM ? { done: meta.cursor, total: hubHead } : undefined;
    return { state: waiting > 0 ? 'waiting' : 'synced', waiting, ...(download ? { download } : {}) };
  };
  const publish = async () => {
    const current = await status();
    await syncStatusItem.setValue(current);
    broadcast('syncChanged', current);
    return current;
  };

  const pull = async () => {
    const meta = await officeMeta(db);
    if (!meta.enabled || !connected) return;
    // A desk with nothing yet downloads into empty tables: no record there needs reading first.
    fresh =
      meta.cursor === 0 && (await db.cards.count()) === 0 && (await db.tasks.count()) === 0
        ? new Set()
        : undefined;
    send({ type: 'sync-pull', requestId: crypto.randomUUID(), storeId: meta.storeId, afterSeq: meta.cursor });
  };

  const push = async () => {
    // Offline, or a push already on the wire: nothing goes now, but "3 changes waiting" counts this write.
    if (!connected || inflight || refused) return void publish();
    const meta = await officeMeta(db);
    if (!meta.enabled) return;
    const entries = await pendingChanges(db, PUSH_BATCH);
    if (entries.length === 0 || inflight) return void publish();
    const requestId = crypto.randomUUID();
    inflight = { requestId, seqs: entries.map((entry) => entry.seq!) };
    const sent = send({
      type: 'sync-push',
      requestId,
      storeId: meta.storeId,
      baseSeq: meta.cursor,
      changes: entries.map((entry) => entry.change),
    });
    if (!sent) inflight = undefined;
    void publish();
  };

  /** Questions to the hub waiting for their answer (a card's history, the deleted cards). */
  const asked = new Map<string, { resolve(frame: SyncFrame): void; reject(error: Error): void }>();
  const ask = (frame: ClientFrame & { requestId: string }): Promise<SyncFrame> =>
    new Promise((resolve, reject) => {
      if (!connected || !send(frame)) {
        reject(new Error('The office store is not reachable from this desk right now.'));
        return;
      }
      const timer = setTimeout(() => {
        asked.delete(frame.requestId);
        reject(new Error('The office store did not answer.'));
      }, ASK_TIMEOUT_MS);
      asked.set(frame.requestId, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const needsOffice = async () => {
    if (!(await officeMeta(db)).enabled) throw new Error('The office store keeps this: turn office mode on.');
  };

  const onSync = (frame: SyncFrame) => {
    if (frame.type === 'sync-history' || frame.type === 'sync-deleted' || frame.type === 'sync-error') {
      const waiting = asked.get(frame.requestId);
      if (waiting) {
        asked.delete(frame.requestId);
        if (frame.type === 'sync-error') waiting.reject(new Error(frame.reason));
        else waiting.resolve(frame);
        return;
      }
    }
    switch (frame.type) {
      case 'sync-history':
      case 'sync-deleted':
        return;
      case 'sync-ack':
        if (inflight?.requestId !== frame.requestId) return;
        void acknowledge(
          db,
          inflight.seqs.map((seq, index) => ({ seq, hubSeq: frame.applied[index]?.seq ?? 0 })),
        ).then(() => {
          inflight = undefined;
          return push();
        });
        return;
      case 'sync-changes': {
        // Checked whole before any of it is applied: a change this desk cannot read stops the sync here,
        // said in the settings, with the cursor where it was (nothing of the page applied).
        const checked = checkHubChanges(frame.changes);
        if (!checked.ok) {
          unreadable = `the office store sent a change this desk cannot read (${checked.reason})`;
          incoming.length = 0;
          ctx.log(`office sync stopped: ${unreadable}`);
          void publish();
          return;
        }
        if (unreadable) return;
        hubHead = Math.max(hubHead, frame.headSeq);
        incoming.push({
          storeId: frame.storeId,
          changes: checked.changes,
          ...(frame.through !== undefined ? { through: frame.through } : {}),
        });
        if (!draining) void drain();
        return;
      }
      case 'sync-error':
        if (frame.code === 'no-store') {
          // Not a refusal: the office store is away for a moment. Said, and tried again shortly.
          if (inflight?.requestId === frame.requestId) inflight = undefined;
          unavailable = frame.reason;
          void publish();
          if (!retryTimer)
            retryTimer = setTimeout(() => {
              retryTimer = undefined;
              unavailable = undefined;
              if (connected) void pull().then(push);
            }, STORE_RETRY_MS);
          return;
        }
        if (frame.code === 'store-replaced' || frame.code === 'ahead-of-hub') {
          // The office store was replaced (a restore): start again from its first change; pending stay.
          ctx.log(`office sync: ${frame.reason}`);
          inflight = undefined;
          void forgetHub(db).then(pull).then(push);
          return;
        }
        if (inflight?.requestId === frame.requestId) inflight = undefined;
        // A push the hub will never take (a change it calls bad): say so, keep it, stop pushing.
        refused = frame.reason;
        ctx.log(`office sync refused: ${frame.reason}`);
        void publish();
        return;
    }
  };

  ctx.onWritten(() => void push());
  void publish();

  const handlers: Pick<
    Handlers,
    'setOfficeMode' | 'getSyncStatus' | 'previewJoin' | 'getCardHistory' | 'listDeletedCards' | 'restoreCard'
  > = {
    getCardHistory: async (cardId): Promise<HistoryEntry[]> => {
      await needsOffice();
      const answer = await ask({ type: 'sync-history', requestId: crypto.randomUUID(), cardId });
      return answer.type === 'sync-history' ? answer.entries : [];
    },
    listDeletedCards: async (): Promise<DeletedCard[]> => {
      await needsOffice();
      const answer = await ask({ type: 'sync-deleted', requestId: crypto.randomUUID() });
      // A card deleted at the hub but restored here already (its restore on its way) is not offered.
      if (answer.type !== 'sync-deleted') return [];
      const here = new Set(
        (await db.cards.bulkGet(answer.cards.map((card) => card.id))).flatMap((card) =>
          card ? [card.id] : [],
        ),
      );
      return answer.cards.filter((card) => !here.has(card.id));
    },
    restoreCard: async (cardId) => {
      await queueRestore(db, cardId);
      ctx.written();
    },
    previewJoin: () => previewJoin(db),
    setOfficeMode: async ({ enabled, merges }) => {
      refused = undefined;
      if (enabled) {
        const queued = await enableOffice(db, merges ?? []);
        ctx.log(`office mode on: ${queued} records queued for the office store`);
        await pull();
        await push();
      } else {
        await disableOffice(db);
      }
      return publish();
    },
    getSyncStatus: () => status(),
  };

  return {
    onSync,
    /** The link is up and caught up on calls: pull, then push what waits. */
    connected: () => {
      connected = true;
      unreadable = undefined;
      offlineSince = undefined;
      inflight = undefined;
      void pull().then(push);
    },
    onLinkState: (state: LinkState) => {
      if (state.state === 'connected') return;
      if (connected || offlineSince === undefined) offlineSince = Date.now();
      connected = false;
      inflight = undefined;
      void publish();
    },
    handlers,
  };
}
