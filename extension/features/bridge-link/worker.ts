/**
 * The worker side of the bridge link: the socket (connect on start, on settings changes, on the wake-up
 * alarm and at browser start-up), its state on the badge and for pages, and calls that came while away.
 */
import { browser } from 'wxt/browser';
import type { ClientFrame } from '../../../shared/protocol';
import type { Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import type { LinkState } from '../../doors/page';
import {
  bridgeTokenItem,
  bridgeUrlItem,
  journalCursorItem,
  linkStateItem,
  myExtensionsItem,
  parseExtensions,
} from '../settings/items';
import { AWAY_NOTIFICATION, AwayCalls } from './away-calls';
import { showLinkOnBadge } from './badge';
import { BridgeLink, type LinkDeps } from './link';

export const LINK_ALARM = 'kesher-link';

export interface BridgeLinkFeature {
  send(message: ClientFrame): boolean;
  handlers: Pick<Handlers, 'getLinkState' | 'reconnect' | 'testCall'>;
}

export function installBridgeLink(
  ctx: WorkerContext,
  on: Pick<LinkDeps, 'onCall' | 'onCaughtUp' | 'onGap' | 'onDialResult' | 'onSync' | 'onPeople'> & {
    onState?: (state: LinkState) => void;
  },
  /** Connect once this settles (what a call needs is loaded). */
  ready: Promise<unknown>,
): BridgeLinkFeature {
  const away = new AwayCalls({
    notify: async (title, message) => {
      await browser.notifications.create(AWAY_NOTIFICATION, {
        type: 'basic',
        iconUrl: browser.runtime.getURL('/icons/128.png'),
        title,
        message,
        priority: 1,
      });
    },
    badge: (text) => showLinkOnBadge(link.state, text),
    show: async () => {
      await browser.tabs.create({ url: browser.runtime.getURL('/app.html#/today') });
    },
    log: ctx.log,
  });
  browser.notifications?.onClicked.addListener((id) => {
    if (id === AWAY_NOTIFICATION) void away.seen(true);
  });
  browser.notifications?.onClosed.addListener((id, byUser) => {
    if (id === AWAY_NOTIFICATION && byUser) void away.seen(false);
  });
  const link = new BridgeLink({
    settings: async () => ({
      url: await bridgeUrlItem.getValue(),
      token: await bridgeTokenItem.getValue(),
      extensions: parseExtensions(await myExtensionsItem.getValue()),
    }),
    cursor: () => journalCursorItem.getValue(),
    onCall: (frame) => {
      away.onCall(frame.call, frame.replay);
      on.onCall(frame);
    },
    onCaughtUp: (journalId, seq) => {
      on.onCaughtUp(journalId, seq);
      void away.caughtUp();
    },
    onGap: on.onGap,
    onSync: on.onSync,
    onPeople: on.onPeople,
    onState: (state) => {
      on.onState?.(state);
      void linkStateItem.setValue(state);
      void showLinkOnBadge(state, away.badgeText);
    },
    onDialResult: on.onDialResult,
    log: ctx.log,
  });

  // The wake-up always runs, connected or not: Chrome may stop this worker at any time (an update, memory
  // pressure, a crash) and then nothing else brings it back before the next call. Every 30 s (Chrome's
  // shortest period) the alarm starts a stopped worker, whose start connects; a live one just checks.
  // Every start waits for what a call needs (settings, the pops already shown), then makes sure of one link:
  // the alarm that woke this worker and the start itself must not open two (two catch-ups of one absence).
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === LINK_ALARM) void ready.then(() => link.ensure());
  });
  void browser.alarms.get(LINK_ALARM).then((alarm) => {
    if (!alarm) void browser.alarms.create(LINK_ALARM, { periodInMinutes: 0.5 });
  });
  bridgeUrlItem.watch(() => void link.connect());
  bridgeTokenItem.watch(() => void link.connect());
  // The bridge learns this user's extensions in the hello: say hello again.
  ctx.onExtensionsChanged(() => void link.connect());
  // Listening here is what wakes the worker when the browser starts, so calls that rang while it was
  // closed are fetched without waiting for the user to open anything.
  browser.runtime.onStartup.addListener(() => void ready.then(() => link.ensure()));
  void ready.then(() => link.ensure());

  return {
    send: (message) => link.send(message),
    handlers: {
      getLinkState: () => link.state,
      reconnect: async () => {
        await link.connect();
        return link.state;
      },
      testCall: () => {
        if (!link.send({ type: 'test-call' })) throw new Error('The bridge is not connected');
      },
    },
  };
}
