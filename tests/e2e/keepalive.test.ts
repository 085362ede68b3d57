/**
 * Chrome ends an idle MV3 service worker after 30 s, which would drop the bridge link and delay the next
 * pop. Playwright's CDP attachment keeps workers alive by itself, so this test pairs a profile with
 * Playwright, then runs Chromium on that profile with no debugging protocol at all and watches the link
 * from the bridge's side for longer than Chrome's idle limit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeProcess, health, postCall, startBridge } from '../helpers/bridge-process';
import {
  CHROME_PATH,
  chromiumArgs,
  EXTENSION_URL,
  launchWithExtension,
  pair,
  popFor,
} from '../helpers/browser';

const IDLE_LIMIT_MS = 30_000;
const WATCH_MS = IDLE_LIMIT_MS + 15_000;

let bridge: BridgeProcess;
let chromium: ChildProcess | undefined;

beforeAll(async () => {
  bridge = await startBridge();
});

afterAll(async () => {
  chromium?.kill('SIGKILL');
  await bridge?.stop();
});

describe('service worker keep-alive (no CDP attached)', () => {
  it('keeps one bridge connection open past the idle limit, and the next call still pops', async () => {
    const paired = await launchWithExtension();
    const settings = await pair(paired.context, bridge.wsUrl, bridge.token);
    await expect
      .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'))
      .toBe('connected');
    await paired.close();
    await expect.poll(async () => (await health(bridge)).clients).toBe(0);

    chromium = spawn(
      CHROME_PATH,
      ['--headless', `--user-data-dir=${paired.profileDir}`, ...chromiumArgs(), 'about:blank'],
      { stdio: 'ignore' },
    );
    // The worker wakes on browser start-up and connects by itself.
    await expect.poll(async () => (await health(bridge)).clients, { timeout: 30_000 }).toBe(1);
    const connections = (await health(bridge)).connectionsTotal;

    // Watch, from the bridge, for longer than Chrome lets an idle worker live: a worker that died would
    // show as a dropped client and a new connection when its alarm brings it back.
    const until = Date.now() + WATCH_MS;
    while (Date.now() < until) {
      const now = await health(bridge);
      expect(now.clients).toBe(1);
      expect(now.connectionsTotal).toBe(connections);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }

    const before = (await health(bridge)).popLatencyMs.count;
    await postCall(bridge, { callId: `keepalive-${Date.now()}`, state: 'ringing', from: '0541234567' });
    // The pop page acks once its card is painted: the pop opened in the CDP-free browser.
    await expect
      .poll(async () => (await health(bridge)).popLatencyMs.count, { timeout: 10_000 })
      .toBe(before + 1);
    chromium?.kill('SIGKILL');
    chromium = undefined;
    await expect.poll(async () => (await health(bridge)).clients).toBe(0);
  }, 120_000);
});

// Globals of the extension's worker, where the evaluated functions run.
declare const chrome: {
  notifications: { getAll(): Promise<Record<string, boolean>> };
  action: { getBadgeText(details: object): Promise<string> };
};

describe('a worker Chrome stopped while the browser stays open', () => {
  it('comes back by itself, says a call rang meanwhile, and the next call pops', async () => {
    const browser = await launchWithExtension();
    try {
      const settings = await pair(browser.context, bridge.wsUrl, bridge.token);
      await expect
        .poll(() => settings.getByTestId('settings-link-state').getAttribute('data-state'))
        .toBe('connected');
      await settings.close();
      await expect.poll(async () => (await health(bridge)).clients).toBe(1);
      // What Chrome does on an update, under memory pressure or after a crash.
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await expect.poll(async () => (await health(bridge)).clients, { timeout: 10_000 }).toBe(0);
      // A call rings and is missed while nobody is connected; nothing is open that would wake the worker.
      const missed = `asleep-${Date.now()}`;
      await postCall(bridge, { callId: missed, state: 'ringing', from: '0541234567' });
      await postCall(bridge, { callId: missed, state: 'ended', from: '0541234567' });
      // The wake-up alarm (30 s, Chrome's shortest) starts the worker again, and it reconnects.
      await expect
        .poll(async () => (await health(bridge)).clients, { timeout: 45_000, interval: 500 })
        .toBe(1);
      const worker = browser.context
        .serviceWorkers()
        .findLast((candidate) => candidate.url().startsWith(EXTENSION_URL))!;
      await expect
        .poll(() => worker.evaluate(() => chrome.notifications.getAll()))
        .toHaveProperty('kesher-away-calls');
      expect(await worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('1');
      const callId = `awake-${Date.now()}`;
      const pop = popFor(browser.context, callId);
      await postCall(bridge, { callId, state: 'ringing', from: '0541234567' });
      await pop;
    } finally {
      await browser.close();
    }
  }, 90_000);
});
