/**
 * The messaging core (extension/doors): who may knock at each door, that a handler runs inside the message's
 * dispatch (a click's gesture), that failures come back as errors, and — at the type level — that the maps
 * are pinned: a missing handler or a wrong payload does not compile (`tsc --noEmit` runs in `npm test`).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  type ContentHandlers,
  contentDoor,
  serveContentMessages,
  tabDoor,
} from '../../../extension/doors/content';
import { defineDoor, type HandlersOf, message, type RawSender } from '../../../extension/doors/door';
import { type Handlers, pageDoor, sendMessage } from '../../../extension/doors/page';

const own = { id: fakeBrowser.runtime.id, url: fakeBrowser.runtime.getURL('/app.html') };
const webPage = { id: fakeBrowser.runtime.id, url: 'https://shop.example/', tab: { id: 7 }, frameId: 0 };

/** Knock as Chrome would: the listeners' answer, or undefined when nobody answers. */
async function knock(raw: unknown, sender: RawSender): Promise<unknown> {
  let answer: unknown;
  const done = new Promise<void>((resolve) => {
    void fakeBrowser.runtime.onMessage
      .trigger(raw, sender as never, (reply: unknown) => {
        answer = reply;
        resolve();
      })
      .then((results: unknown[]) => {
        if (!results.includes(true)) resolve();
      });
  });
  await done;
  return answer;
}

interface TestMap {
  echo(input: { text: string }): string;
  fail(): void;
  gesture(): boolean;
}

describe('doors', () => {
  beforeEach(() => fakeBrowser.reset());

  it("the page door answers Kesher's own pages and refuses anyone else", async () => {
    const errors: string[] = [];
    pageDoor.serveSome(
      { getLinkState: () => ({ state: 'connected', since: 1 }) },
      { onError: (name) => errors.push(name) },
    );
    expect(await knock(message('request', 'getLinkState', undefined), own)).toEqual({
      ok: true,
      value: { state: 'connected', since: 1 },
    });
    expect(await knock(message('request', 'getLinkState', undefined), webPage)).toEqual({
      ok: false,
      error: 'not allowed from this sender',
    });
    // Another extension's page, with Kesher's page path.
    expect(
      await knock(message('request', 'getLinkState', undefined), { ...own, id: 'someone-else' }),
    ).toEqual({ ok: false, error: 'not allowed from this sender' });
    // A name the door does not serve, or another door's tag: not answered at all (others may).
    expect(await knock(message('request', 'reconnect', undefined), own)).toBeUndefined();
    expect(await knock(message('content-request', 'getLinkState', undefined), own)).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('a handler runs inside the dispatch, and its failure comes back as an error', async () => {
    const door = defineDoor<TestMap, { url: string }>({
      tag: 'test',
      identify: (sender) => (sender.url ? { url: sender.url } : null),
      refusal: 'no',
    });
    let inDispatch = false;
    let dispatching = false;
    const errors: string[] = [];
    door.serve(
      {
        echo: ({ text }) => text.toUpperCase(),
        fail: async () => {
          throw new Error('the disk is full');
        },
        gesture: () => (inDispatch = dispatching),
      },
      { onError: (name, error) => errors.push(`${name}: ${(error as Error).message}`) },
    );
    dispatching = true;
    const pending = knock(message('test', 'gesture', undefined), own);
    dispatching = false;
    await pending;
    expect(inDispatch).toBe(true);
    expect(await knock(message('test', 'echo', { text: 'shalom' }), own)).toEqual({
      ok: true,
      value: 'SHALOM',
    });
    expect(await knock(message('test', 'fail', undefined), own)).toEqual({
      ok: false,
      error: 'the disk is full',
    });
    expect(errors).toEqual(['fail: the disk is full']);
  });

  it("the content door knows the tab and frame, and the worker's policy refuses per request", async () => {
    const asked: string[] = [];
    const handlers = {
      openPanel: (_arg, sender) => void asked.push(`open ${sender.tabId}/${sender.frameId}`),
      scanPage: () => [],
    } as Partial<ContentHandlers> as ContentHandlers;
    serveContentMessages(
      handlers,
      {
        openPanel: (sender) => sender.url.startsWith('https://shop.'),
        scanPage: () => false,
        gmailContext: () => false,
        captureContact: () => false,
        pageCaptured: () => false,
        scanFinished: () => false,
      },
      () => {},
    );
    expect(await knock(message('content-request', 'openPanel', {}), webPage)).toEqual({
      ok: true,
      value: null,
    });
    expect(await knock(message('content-request', 'scanPage', { items: [] }), webPage)).toEqual({
      ok: false,
      error: 'not allowed on this site',
    });
    // No tab: an extension page pretending to be a content script.
    expect(await knock(message('content-request', 'openPanel', {}), own)).toEqual({
      ok: false,
      error: 'not allowed on this site',
    });
    expect(asked).toEqual(['open 7/0']);
  });

  it("a content script answers only the worker (a message from a tab is someone else's)", async () => {
    let bodies = 0;
    tabDoor.serveSome({ messageBody: () => `body ${++bodies}` }, { onError: () => {} });
    expect(
      await knock(message('tab-request', 'messageBody', undefined), { id: fakeBrowser.runtime.id }),
    ).toEqual({
      ok: true,
      value: 'body 1',
    });
    expect(await knock(message('tab-request', 'messageBody', undefined), webPage)).toEqual({
      ok: false,
      error: 'only the worker asks content scripts',
    });
    expect(bodies).toBe(1);
  });

  it('a page request round-trips through sendMessage', async () => {
    // fakeBrowser's sendMessage gives no sender; the test door accepts that, the real one would not.
    const door = defineDoor<TestMap, object>({ tag: 'round', identify: () => ({}), refusal: 'no' });
    door.serveSome({ echo: ({ text }) => `${text}!` }, { onError: () => {} });
    expect(await door.send('echo', { text: 'kesher' })).toBe('kesher!');
    // Nobody serving the request: a clear error, not a hang.
    await expect(sendMessage('testCall')).rejects.toThrow('no answer to testCall');
    expect(contentDoor.tag).toBe('content-request');
  });
});

// Type-level pins: each line below must fail to compile (tsc --noEmit is part of npm test).
function typePins(handlers: Handlers): void {
  // @ts-expect-error a worker that forgets a request does not compile
  const missing: Handlers = { ...handlers, dial: undefined };
  // @ts-expect-error a handler returning the wrong payload does not compile
  const wrong: Handlers = { ...handlers, getLinkState: () => 'connected' };
  // @ts-expect-error a request with the wrong argument does not compile
  void sendMessage('addNote', { cardId: 'a', txt: 'typo' });
  // @ts-expect-error a request that needs an argument cannot be sent without one
  void sendMessage('getCardView');
  // @ts-expect-error a name that is not on the map
  void sendMessage('deleteEverything');
  const test: HandlersOf<TestMap, object> = { echo: ({ text }) => text, fail: () => {}, gesture: () => true };
  void [missing, wrong, test];
}

it('the type pins above are compiled with the suite (tsc --noEmit fails on an unused @ts-expect-error)', () => {
  expect(typePins).toBeTypeOf('function');
});
