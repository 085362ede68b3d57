import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { type PhoneOptions, parsePhone } from '../../shared/phone';
import { buildCard, saveCard, updateCard } from '../db/cards';
import { createDb } from '../db/db';
import { addNote, unknownCalls } from '../db/interactions';
import { addTask, completeTask } from '../db/tasks';
import { installBenchHooks } from '../features/bench/bench-hooks';
import { BridgeLink } from '../features/bridge-link/link';
import { AWAY_NOTIFICATION, AwayCalls } from '../features/bridge-link/away-calls';
import { showLinkOnBadge } from '../features/bridge-link/badge';
import { CallLogIntake, recordCallGap } from '../features/call-log/call-log';
import { cardView } from '../features/screen-pop/pop-view';
import { ScreenPop } from '../features/screen-pop/screen-pop';
import { installContentServices } from '../features/side-panel/content-services';
import {
  bridgeTokenItem,
  bridgeUrlItem,
  defaultCountryItem,
  journalCursorItem,
  languageItem,
  linkStateItem,
  myExtensionsItem,
  outsideLinePrefixItem,
  parseExtensions,
  phoneOptions,
} from '../features/settings/items';
import { broadcast, serveMessages } from '../messaging';
import '../locales/all';
import { locale, resolveLocale, setLocale } from '../ui/i18n';
import { loggedCall } from '../features/screen-pop/pop-view';

const LINK_ALARM = 'kesher-link';

export default defineBackground({
  type: 'module',
  main() {
    const log = (message: string) => console.warn(`[kesher] ${message}`);
    // Opened once and kept: the bridge's keep-alive keeps this worker, so ring-time lookups stay warm.
    const db = createDb();
    void db.open().catch((error: Error) => log(`database failed to open: ${error.message}`));

    let phone: PhoneOptions = { defaultCountry: 'IL' };
    const loadPhone = () => phoneOptions().then((options) => (phone = options));
    const phoneReady = loadPhone();
    defaultCountryItem.watch(() => void loadPhone());
    outsideLinePrefixItem.watch(() => void loadPhone());

    let myExtensions: string[] = [];
    const loadExtensions = () =>
      myExtensionsItem.getValue().then((value) => (myExtensions = parseExtensions(value)));
    const extensionsReady = loadExtensions();
    const loadLocale = () =>
      languageItem.getValue().then((value) => setLocale(resolveLocale(value, navigator.languages)));
    void loadLocale();
    languageItem.watch(() => void loadLocale());
    const pop = new ScreenPop(
      db,
      () => phone,
      () => myExtensions,
      log,
      locale,
    );
    const intake = new CallLogIntake({
      db,
      phone: async () => {
        await phoneReady;
        return phone;
      },
      saveCursor: (cursor) => journalCursorItem.setValue(cursor),
      onLogged: () => broadcast('dataChanged', {}),
      onError: (error) => log(`call log: ${(error as Error).message}`),
    });
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
      log,
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
        // The pop first; the call log's write follows once the pop window exists, so the two never
        // compete for the database or the browser while the window opens.
        away.onCall(frame.call, frame.replay);
        void phoneReady
          .then(() => pop.onCall(frame.call, frame.replay))
          .catch((error: Error) => log(`pop failed: ${error.message}`))
          .finally(() => void intake.add(frame));
      },
      onCaughtUp: (journalId, seq) => {
        void intake.caughtUp(journalId, seq);
        void away.caughtUp();
      },
      onGap: (gap) => void recordCallGap(gap).then(() => broadcast('dataChanged', {})),
      onState: (state) => {
        void linkStateItem.setValue(state);
        void showLinkOnBadge(state, away.badgeText);
      },
      onDialResult: (result) => broadcast('dialProgress', result),
      log,
    });

    const changed = async (cardId?: string) => {
      await pop.refreshOpen();
      broadcast('dataChanged', { cardId });
      // Chips on pages and open side panels follow (content is set up just below, before any message).
      content.cardsChanged();
    };
    const content = installContentServices({
      db,
      phone: () => phone,
      phoneReady,
      onPanelChanged: (tabId) => broadcast('panelChanged', { tabId }),
      onCardsChanged: () => changed(),
      log,
    });

    serveMessages(
      {
        getPopView: async (callId) => {
          const cached = await pop.view(callId);
          if (cached) return cached;
          const call = await loggedCall(db, callId);
          return call ? pop.build(call) : null;
        },
        getCardView: (cardId) => cardView(db, cardId),
        popShown: async (callId) => {
          link.send({ type: 'ack', callId });
          await pop.shown(callId);
        },
        createLead: async (input) => {
          const name = input.name.trim() || input.phone.trim();
          if (!name) throw new Error('a lead needs a name or a number');
          const card = await saveCard(
            db,
            buildCard(
              {
                name,
                stage: 'lead',
                company: input.company,
                phones: input.phone.trim() ? [{ label: 'phone', raw: input.phone.trim() }] : [],
                emails: input.email ? [input.email] : [],
              },
              phone,
            ),
          );
          await changed(card.id);
          return card;
        },
        addNote: async (input) => {
          const note = await addNote(db, input);
          await changed(input.cardId);
          return note;
        },
        addTask: async (input) => {
          const task = await addTask(db, input);
          await changed(input.cardId);
          return task;
        },
        completeTask: async (taskId) => {
          await completeTask(db, taskId);
          await changed();
        },
        setStatus: async ({ cardId, status, note }) => {
          const card = await updateCard(db, cardId, { status, statusNote: note }, phone);
          await changed(cardId);
          return card;
        },
        listUnknownCalls: async () =>
          (await unknownCalls(db)).map((call) => ({
            ...call,
            display: parsePhone(call.number ?? '', phone).display,
          })),
        getLinkState: () => link.state,
        reconnect: async () => {
          await link.connect();
          return link.state;
        },
        testCall: () => {
          if (!link.send({ type: 'test-call' })) throw new Error('The bridge is not connected');
        },
        notifyChanged: () => changed(),
        ...content.handlers,
        dial: ({ number }) => {
          const fromExtension = myExtensions[0];
          if (!fromExtension) throw new Error('Set your phone extension in Settings to call from Kesher');
          const requestId = crypto.randomUUID();
          if (!link.send({ type: 'dial', requestId, number, fromExtension })) {
            throw new Error('The bridge is not connected');
          }
          return { requestId };
        },
      },
      (name, error) => log(`${name} failed: ${(error as Error).message}`),
    );

    // The wake-up always runs, connected or not: Chrome may stop this worker at any time (an update, memory
    // pressure, a crash) and then nothing else brings it back before the next call. Every 30 s (Chrome's
    // shortest period) the alarm starts a stopped worker, whose start connects; a live one just checks.
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === LINK_ALARM) link.ensure();
    });
    void browser.alarms.get(LINK_ALARM).then((alarm) => {
      if (!alarm) void browser.alarms.create(LINK_ALARM, { periodInMinutes: 0.5 });
    });
    bridgeUrlItem.watch(() => void link.connect());
    bridgeTokenItem.watch(() => void link.connect());
    // The bridge learns this user's extensions in the hello: say hello again.
    myExtensionsItem.watch(() => void loadExtensions().then(() => link.connect()));

    // Listening here is what wakes the worker when the browser starts, so calls that rang while it was
    // closed are fetched without waiting for the user to open anything.
    browser.runtime.onStartup.addListener(() => link.ensure());
    void Promise.all([pop.restore(), phoneReady, extensionsReady]).then(() => link.connect());
    if (import.meta.env.KESHER_BENCH) installBenchHooks(db, () => phone);
  },
});
