/**
 * The worker features' `install`s on WXT's fakeBrowser, wired as background.ts wires them: who gets a pop
 * (and never two for one call), which page may ask the content door what, and the lead a pop creates.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createDb } from '../../../extension/db/db';
import {
  type ContentHandlers,
  type ContentPolicy,
  type ContentSender,
  serveContentMessages,
} from '../../../extension/doors/content';
import { message, type RawSender } from '../../../extension/doors/door';
import { installCapture } from '../../../extension/features/capture/worker';
import { installCards } from '../../../extension/features/cards/worker';
import { installGmail } from '../../../extension/features/gmail/worker';
import { installOfficeSync, STORE_RETRY_MS } from '../../../extension/features/office-sync/worker';
import { syncStatusItem } from '../../../extension/features/settings/items';
import type { LinkState } from '../../../extension/doors/page';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { installPageContacts } from '../../../extension/features/page-contacts/worker';
import { installScreenPop } from '../../../extension/features/screen-pop/worker';
import { installSidePanel } from '../../../extension/features/side-panel/worker';
import { installTeam } from '../../../extension/features/team/worker';
import { userNameItem } from '../../../extension/features/settings/items';
import { addTask } from '../../../extension/db/tasks';
import { RingGate, type WorkerContext } from '../../../extension/worker/context';
import type { CallSnapshot } from '../../../shared/protocol';

let dbCount = 0;
function context(extensions: string[] = []): WorkerContext & { changes: Array<string | undefined> } {
  const listeners: Array<(cardId?: string) => unknown> = [];
  const changes: Array<string | undefined> = [];
  return {
    db: createDb(`worker-${++dbCount}`),
    log: () => {},
    phone: () => ({ defaultCountry: 'IL' }),
    myExtensions: () => extensions,
    ready: Promise.resolve(),
    onExtensionsChanged: () => {},
    changes,
    async changed(cardId) {
      changes.push(cardId);
      for (const listener of listeners) await listener(cardId);
    },
    onChanged: (listener) => void listeners.push(listener),
    written: () => {},
    onWritten: () => {},
    ringing: () => {},
    afterRinging: async () => {},
  };
}

const ringing = (callId: string, extra: Partial<CallSnapshot> = {}): CallSnapshot => ({
  callId,
  status: 'ringing',
  direction: 'inbound',
  from: '054-123-4567',
  startedAt: Date.now(),
  ...extra,
});
const frame = (call: CallSnapshot, replay = false) => ({ call, replay, seq: 1, journalId: 'j' });

/** The Chrome APIs fakeBrowser leaves out, as far as these features use them. */
function stubChrome() {
  const granted = new Set<string>();
  const injected: Array<{ tabId: number; files: string[] }> = [];
  const opened: number[] = [];
  Object.assign(fakeBrowser, {
    permissions: {
      contains: async ({ origins }: { origins: string[] }) => origins.every((origin) => granted.has(origin)),
      remove: async ({ origins }: { origins: string[] }) => origins.every((origin) => granted.delete(origin)),
      onAdded: { addListener() {} },
      onRemoved: { addListener() {} },
    },
    scripting: {
      getRegisteredContentScripts: async () => [],
      registerContentScripts: async () => {},
      updateContentScripts: async () => {},
      unregisterContentScripts: async () => {},
      executeScript: async ({ target, files }: { target: { tabId: number }; files: string[] }) =>
        void injected.push({ tabId: target.tabId, files }),
    },
    contextMenus: { removeAll: async () => {}, create() {}, onClicked: { addListener() {} } },
    sidePanel: {
      setOptions: async () => {},
      open: async ({ tabId }: { tabId: number }) => void opened.push(tabId),
    },
  });
  return { granted, injected, opened };
}

beforeEach(() => fakeBrowser.reset());
afterEach(() => vi.restoreAllMocks());

describe('screen pop (installScreenPop)', () => {
  it('pops for a call ringing at my extension, once however often it arrives, and not for a colleague’s', async () => {
    const create = vi.spyOn(fakeBrowser.windows, 'create');
    const pop = installScreenPop(context(['101']), { ack: () => {} });
    await pop.restored;
    await pop.onCall(frame(ringing('mine', { extensions: ['101', '102'] })));
    await pop.onCall(frame(ringing('mine', { extensions: ['101', '102'] }), true));
    await pop.onCall(frame(ringing('theirs', { extension: '103' })));
    await pop.onCall(frame(ringing('outbound', { direction: 'outbound', extension: '101' })));
    expect(create).toHaveBeenCalledTimes(1);
    expect(String(create.mock.calls[0]![0]!.url)).toContain('callId=mine');
  });

  it('presence: who talks with a customer now, by their numbers’ strong keys (a shared tail is someone else)', async () => {
    const ctx = context(['101']);
    const pop = installScreenPop(ctx, { ack: () => {} });
    pop.setPeople([{ name: 'Dana Levi', extensions: ['102'] }]);
    const dana = await saveCard(
      ctx.db,
      buildCard(
        { name: 'Customer', phones: [{ label: 'mobile', raw: '054-123-4567' }] },
        { defaultCountry: 'IL' },
      ),
    );
    const other = await saveCard(
      ctx.db,
      buildCard(
        { name: 'Other', phones: [{ label: 'mobile', raw: '052-123-4567' }] },
        { defaultCountry: 'IL' },
      ),
    );
    const live = ringing('talk', {
      status: 'answered',
      answeredBy: '102',
      answeredAt: Date.now(),
      from: '+972541234567',
    });
    await pop.onCall(frame(live));
    const presence = (cardId: string) => pop.handlers.getPresence(cardId, {} as never);
    expect(await presence(dana.id)).toEqual([{ who: 'Dana Levi (102)', since: live.answeredAt }]);
    expect(await presence(other.id)).toEqual([]);
    await pop.onCall(frame({ ...live, status: 'ended', endedAt: Date.now() }));
    expect(await presence(dana.id)).toEqual([]);
  });

  it('the receptionist (no extension set) gets every call; a replayed call that rang long ago is history', async () => {
    const create = vi.spyOn(fakeBrowser.windows, 'create');
    const pop = installScreenPop(context([]), { ack: () => {} });
    await pop.restored;
    await pop.onCall(frame(ringing('any', { extension: '777' })));
    await pop.onCall(frame(ringing('old', { startedAt: Date.now() - 5 * 60_000 }), true));
    expect(create.mock.calls.map(([data]) => new URL(String(data!.url)).searchParams.get('callId'))).toEqual([
      'any',
    ]);
  });

  it('a call that already popped does not pop again after the worker restarts', async () => {
    const create = vi.spyOn(fakeBrowser.windows, 'create');
    const first = installScreenPop(context([]), { ack: () => {} });
    await first.restored;
    await first.onCall(frame(ringing('once')));
    const afterRestart = installScreenPop(context([]), { ack: () => {} });
    await afterRestart.restored;
    await afterRestart.onCall(frame(ringing('once'), true));
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('the pop’s "create lead" makes a lead card of the caller and the open pop follows', async () => {
    const ctx = context([]);
    const acks: string[] = [];
    const pop = installScreenPop(ctx, { ack: (callId) => acks.push(callId) });
    const cards = installCards(ctx);
    await pop.onCall(frame(ringing('lead-call')));
    expect((await pop.handlers.getPopView('lead-call', { url: '' }))?.card).toBeUndefined();
    const card = await cards.handlers.createLead(
      { name: '', phone: '054-123-4567', callId: 'lead-call' },
      { url: '' },
    );
    expect(card).toMatchObject({ name: '054-123-4567', stage: 'lead' });
    expect(ctx.changes).toEqual([card.id]);
    expect((await pop.handlers.getPopView('lead-call', { url: '' }))?.card?.card.id).toBe(card.id);
    await pop.handlers.popShown('lead-call', { url: '' });
    expect(acks).toEqual(['lead-call']);
    await expect(cards.handlers.createLead({ name: ' ', phone: ' ' }, { url: '' })).rejects.toThrow(
      'a lead needs a name or a number',
    );
  });
});

describe('the content door’s per-site policy (side panel, page contacts, Gmail, capture)', () => {
  function wire() {
    const chrome = stubChrome();
    const ctx = context();
    const panel = installSidePanel(ctx, (sender) => gmail.onGmail(sender) || pages.onPage(sender));
    const pages = installPageContacts(ctx, panel.panel);
    const gmail = installGmail(ctx, panel.panel);
    const capture = installCapture(ctx, panel, pages.onPage);
    const handlers = {
      ...panel.content.handlers,
      ...pages.content.handlers,
      ...gmail.content.handlers,
      ...capture.content.handlers,
    } satisfies ContentHandlers;
    const policy = {
      ...panel.content.policy,
      ...pages.content.policy,
      ...gmail.content.policy,
      ...capture.content.policy,
    } satisfies ContentPolicy;
    serveContentMessages(handlers, policy, () => {});
    return { chrome, pages, capture, policy };
  }
  const from = (url: string, tabId = 1, frameId = 0): ContentSender => ({ url, tabId, frameId });
  const asks = (policy: ContentPolicy, sender: ContentSender) =>
    (Object.keys(policy) as Array<keyof ContentPolicy>).filter((name) => policy[name](sender)).sort();

  it('a site the user never allowed may ask nothing; Gmail’s top frame its own things only', () => {
    const { policy } = wire();
    expect(asks(policy, from('https://shop.example/item'))).toEqual([]);
    expect(asks(policy, from('https://mail.google.com/mail/u/0/#inbox'))).toEqual([
      'gmailContext',
      'openPanel',
    ]);
    expect(asks(policy, from('https://mail.google.com/mail/u/0/#inbox', 1, 3))).toEqual(['openPanel']);
  });

  it('an allowed site gets chips and captures; forgetting it takes them away again', async () => {
    const { chrome, pages, policy } = wire();
    chrome.granted.add('https://shop.example/*');
    const tab = await fakeBrowser.tabs.create({ url: 'https://shop.example/item' });
    const access = await pages.handlers.allowSite(
      { site: 'https://shop.example', tabId: tab.id },
      { url: '' },
    );
    expect(access).toMatchObject({
      site: 'https://shop.example',
      allowed: true,
      sites: ['https://shop.example'],
    });
    // The page already open gets its chips now.
    expect(chrome.injected).toEqual([{ tabId: tab.id, files: ['/content-scripts/page-contacts.js'] }]);
    expect(asks(policy, from('https://shop.example/item'))).toEqual([
      'captureContact',
      'openPanel',
      'scanFinished',
      'scanPage',
    ]);
    expect(asks(policy, from('https://other.example/'))).toEqual([]);
    await pages.handlers.forgetSite({ site: 'https://shop.example', tabId: tab.id }, { url: '' });
    expect(asks(policy, from('https://shop.example/item'))).toEqual([]);
    expect(chrome.granted.size).toBe(0);
  });

  it('a one-off scan allows that tab until it navigates; a page report only after the user’s capture', async () => {
    const { pages, capture, policy } = wire();
    await pages.handlers.scanTabOnce({ tabId: 9 }, { url: '' });
    expect(policy.scanPage(from('https://news.example/', 9))).toBe(true);
    expect(policy.scanPage(from('https://news.example/', 8))).toBe(false);
    await fakeBrowser.tabs.onUpdated.trigger(
      9,
      { status: 'loading', url: 'https://elsewhere.example/' },
      {} as never,
    );
    expect(policy.scanPage(from('https://elsewhere.example/', 9))).toBe(false);

    expect(policy.pageCaptured(from('https://news.example/', 5))).toBe(false);
    await capture.handlers.captureTab({ tabId: 5 }, { url: '' });
    expect(policy.pageCaptured(from('https://news.example/', 5))).toBe(true);
  });

  it('the door refuses a page the policy refuses, with nothing answered but the refusal', async () => {
    wire();
    const sender: RawSender = {
      id: fakeBrowser.runtime.id,
      url: 'https://shop.example/',
      tab: { id: 2 },
      frameId: 0,
    };
    const replies: unknown[] = [];
    await fakeBrowser.runtime.onMessage.trigger(
      message('content-request', 'scanPage', { items: [{ id: 1, text: '054-123-4567' }] }),
      sender as never,
      (reply: unknown) => void replies.push(reply),
    );
    expect(replies).toEqual([{ ok: false, error: 'not allowed on this site' }]);
  });
});

describe('a call ringing here goes first', () => {
  it('background writes wait until no call has rung for a moment', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const ctx = new RingGate();
      let done = false;
      await ctx.quiet();
      ctx.ringing();
      void ctx.quiet().then(() => {
        done = true;
      });
      await vi.advanceTimersByTimeAsync(300);
      expect(done).toBe(false);
      // Another call meanwhile: the wait starts again from it.
      ctx.ringing();
      await vi.advanceTimersByTimeAsync(400);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(300);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('office mode’s status while the bridge is away', () => {
  it('counts each write at once ("1 change waiting"), with nothing sent', async () => {
    const writes: Array<() => void> = [];
    const ctx = { ...context(), onWritten: (listener: () => void) => void writes.push(listener) };
    const sent: unknown[] = [];
    const sync = installOfficeSync(ctx, (frame) => {
      sent.push(frame);
      return true;
    });
    sync.onLinkState({ state: 'unreachable', since: Date.now() } satisfies LinkState);
    await sync.handlers.setOfficeMode({ enabled: true }, {} as never);
    expect(await syncStatusItem.getValue()).toMatchObject({ waiting: 0 });
    await saveCard(ctx.db, buildCard({ name: 'Dana Levi' }, { defaultCountry: 'IL' }));
    for (const listener of writes) listener();
    await vi.waitFor(async () => expect(await syncStatusItem.getValue()).toMatchObject({ waiting: 1 }));
    expect(sent).toEqual([]);
  });
});

describe('a page from the hub this desk cannot read', () => {
  it('is not applied at all: the cursor stays, the settings say why, and the next link reads again', async () => {
    const ctx = context();
    const sync = installOfficeSync(ctx, () => true);
    await sync.handlers.setOfficeMode({ enabled: true }, {} as never);
    sync.connected();
    const card = (id: string, seq: number, phones: unknown) => ({
      id: `change-${id}`,
      table: 'cards',
      rowId: id,
      op: 'put',
      fields: { kind: 'person', name: `Card ${id}`, phones },
      revive: true,
      at: 1,
      seq,
      author: 'office',
    });
    sync.onSync({
      type: 'sync-changes',
      storeId: 'store-1',
      changes: [card('good', 1, []), card('bad', 2, 'not a list')],
      headSeq: 2,
      more: false,
    });
    await vi.waitFor(async () =>
      expect(await syncStatusItem.getValue()).toMatchObject({
        state: 'error',
        detail: expect.stringContaining('change 1 (cards bad): phones must be a list'),
      }),
    );
    expect(await ctx.db.cards.count()).toBe(0);
    expect((await ctx.db.meta.get('office')) as { cursor: number }).toMatchObject({ cursor: 0 });
    // The link comes back and the hub sends a page this desk reads: applied.
    sync.connected();
    sync.onSync({
      type: 'sync-changes',
      storeId: 'store-1',
      changes: [card('good', 1, [])],
      headSeq: 1,
      more: false,
    });
    await vi.waitFor(async () => expect(await ctx.db.cards.count()).toBe(1));
  });
});

describe('the office store away for a moment (its PostgreSQL restarting)', () => {
  it('is said in the settings and asked again shortly; pushing is not refused for good', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const ctx = context();
      const sent: Array<{ type: string }> = [];
      const sync = installOfficeSync(ctx, (frame) => {
        sent.push(frame);
        return true;
      });
      await sync.handlers.setOfficeMode({ enabled: true }, {} as never);
      sync.connected();
      await vi.waitFor(() => expect(sent.filter((frame) => frame.type === 'sync-pull')).toHaveLength(1));
      sync.onSync({
        type: 'sync-error',
        requestId: 'x',
        code: 'no-store',
        reason: 'the office store is not available: gone',
      });
      await vi.waitFor(async () =>
        expect(await syncStatusItem.getValue()).toMatchObject({
          state: 'error',
          detail: 'the office store is not available: gone',
        }),
      );
      await vi.advanceTimersByTimeAsync(STORE_RETRY_MS);
      await vi.waitFor(() => expect(sent.filter((frame) => frame.type === 'sync-pull')).toHaveLength(2));
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('team (installTeam)', () => {
  it('a task a colleague gave me is a notification; Done completes it, Reassign opens it on its card', async () => {
    const ctx = context();
    const team = installTeam(ctx, { talking: () => [] });
    await userNameItem.setValue('Noa Cohen');
    const card = await saveCard(ctx.db, buildCard({ name: 'Globex' }, { defaultCountry: 'IL' }));
    const task = await addTask(ctx.db, {
      cardId: card.id,
      title: 'Call back about the quote',
      due: Date.now() + 24 * 3600_000,
      assignee: 'Noa Cohen',
      by: 'Yael Bar',
    });
    const given = {
      id: 'ch-1',
      table: 'tasks' as const,
      rowId: task.id,
      op: 'put' as const,
      fields: { assignee: 'Noa Cohen', title: task.title },
      at: Date.now(),
      seq: 9,
      author: 'Yael Bar',
    };
    team.onApplied([given]);
    const id = `task:${task.id}`;
    await vi.waitFor(async () => expect(Object.keys(await fakeBrowser.notifications.getAll())).toEqual([id]));
    const shown = (
      fakeBrowser.notifications as unknown as {
        getAllCreateOptions(): Record<
          string,
          { title: string; message: string; buttons: Array<{ title: string }> }
        >;
      }
    ).getAllCreateOptions()[id]!;
    expect(shown.title).toBe('Yael Bar assigned you');
    expect(shown.message).toBe('Call back about the quote, due tomorrow');
    expect(shown.buttons.map((button) => button.title)).toEqual(['Done', 'Reassign']);
    // My own change, or an old one, says nothing.
    await fakeBrowser.notifications.clear(id);
    team.onApplied([
      { ...given, author: 'Noa Cohen' },
      { ...given, at: Date.now() - 3 * 24 * 3600_000 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Object.keys(await fakeBrowser.notifications.getAll())).toEqual([]);

    const opened = vi.spyOn(fakeBrowser.tabs, 'create');
    await fakeBrowser.notifications.onButtonClicked.trigger(id, 1);
    await vi.waitFor(() => expect(opened).toHaveBeenCalledTimes(1));
    expect(String(opened.mock.calls[0]![0]!.url)).toContain(`#/cards/${card.id}?task=${task.id}`);
    await fakeBrowser.notifications.onButtonClicked.trigger(id, 0);
    await vi.waitFor(async () => expect((await ctx.db.tasks.get(task.id))?.done).toBe(1));
  });
});
