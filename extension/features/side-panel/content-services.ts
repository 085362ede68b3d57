/**
 * The service worker's side of Gmail, page contacts and capture: answers content scripts (checking which
 * site asks what), the context menu, site access from the popup, and the side panel's requests.
 */
import { countryOfPage } from '../../../shared/page-contacts';
import { browser } from 'wxt/browser';
import type { PhoneOptions } from '../../../shared/phone';
import { type ContentMessageName, type ContentSender, serveContentMessages } from '../../content-messaging';
import type { KesherDb } from '../../db/db';
import type { Handlers, SiteAccess } from '../../messaging';
import { t } from '../../ui/i18n';
import { draftFromContact, draftFromPage } from '../capture/capture-draft';
import { cardsByEmail, chipCards, scanItems } from '../page-contacts/lookup';
import type { ScanStats } from '../page-contacts/scanner';
import {
  allowedSitesItem,
  allowSite,
  CAPTURE_SCRIPT_FILE,
  forgetSite,
  PAGE_SCRIPT_FILE,
  siteOf,
  syncPageScript,
} from '../page-contacts/sites';
import { PanelService } from './panel-service';

const MENU_ID = 'kesher-capture';

/** Gmail, and in the e2e build the saved Gmail pages the tests serve on 127.0.0.1. */
export function isGmail(url: string): boolean {
  if (url.startsWith('https://mail.google.com/')) return true;
  return Boolean(import.meta.env.KESHER_E2E) && /^http:\/\/127\.0\.0\.1(?::\d+)?\/gmail\//.test(url);
}

type PanelHandlers = Pick<
  Handlers,
  | 'getPanelView'
  | 'saveCapture'
  | 'addToCard'
  | 'logEmail'
  | 'getSiteAccess'
  | 'allowSite'
  | 'forgetSite'
  | 'scanTabOnce'
  | 'captureTab'
>;

export interface ContentServices {
  panel: PanelService;
  handlers: PanelHandlers;
  /** Cards changed somewhere: open panels and chips follow. */
  cardsChanged(): void;
  /** The last first-pass figures per tab (health and benchmarks). */
  scanStats: Map<number, ScanStats>;
}

export function installContentServices(deps: {
  db: KesherDb;
  phone: () => PhoneOptions;
  phoneReady: Promise<unknown>;
  onPanelChanged: (tabId: number) => void;
  onCardsChanged: () => Promise<void>;
  log: (message: string) => void;
}): ContentServices {
  const { db, log } = deps;
  const panel = new PanelService(db, deps.phone, deps.onPanelChanged);
  void panel.restore();
  let allowedSites: string[] = [];
  const loadSites = () =>
    syncPageScript().then(
      (sites) => (allowedSites = sites),
      (error: Error) => log(`page script registration failed: ${error.message}`),
    );
  void loadSites();
  allowedSitesItem.watch(() => void loadSites());
  browser.permissions.onRemoved.addListener(() => void loadSites());
  browser.permissions.onAdded.addListener(() => void loadSites());

  /** Tabs where the user asked for one scan or one capture (activeTab), until they navigate away. */
  const oneOff = new Set<number>();
  const capturing = new Map<number, { linkUrl?: string }>();
  const scanStats = new Map<number, ScanStats>();
  browser.tabs.onRemoved.addListener((tabId) => {
    oneOff.delete(tabId);
    capturing.delete(tabId);
    scanStats.delete(tabId);
    panel.forget(tabId);
  });
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.status === 'loading' && change.url) oneOff.delete(tabId);
  });

  const siteAllowed = (url: string) => {
    const site = siteOf(url);
    return site !== null && allowedSites.includes(site);
  };
  const allowed = (name: ContentMessageName, sender: ContentSender): boolean => {
    const gmail = isGmail(sender.url);
    const page = siteAllowed(sender.url) || oneOff.has(sender.tabId);
    switch (name) {
      case 'gmailContext':
        return gmail && sender.frameId === 0;
      case 'openPanel':
        return gmail || page;
      case 'scanPage':
      case 'captureContact':
      case 'scanFinished':
        return page;
      case 'pageCaptured':
        return capturing.has(sender.tabId);
    }
  };

  const openPanel = (tabId: number) => {
    // Both calls start inside the user's click (a message sent from it, or the menu click): awaiting the
    // first would spend the gesture `open()` needs.
    void browser.sidePanel
      .setOptions({ tabId, path: `sidepanel.html?tab=${tabId}`, enabled: true })
      .catch((error: Error) => log(`side panel: ${error.message}`));
    void browser.sidePanel
      .open({ tabId })
      .catch((error: Error) => log(`side panel did not open: ${error.message}`));
  };

  const startCapture = async (tabId: number, frameId: number, linkUrl?: string) => {
    capturing.set(tabId, { linkUrl });
    await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      files: [CAPTURE_SCRIPT_FILE],
    });
  };

  serveContentMessages(
    {
      scanPage: async ({ items, lang }, sender) => {
        panel.contentTabs.add(sender.tabId);
        await deps.phoneReady;
        return scanItems(
          db,
          Array.isArray(items) ? items.slice(0, 1000) : [],
          deps.phone(),
          countryOfPage(sender.url, typeof lang === 'string' ? lang : undefined),
        );
      },
      gmailContext: (context, sender) => {
        panel.contentTabs.add(sender.tabId);
        panel.setGmail(sender.tabId, context);
        return chipsForGmail(context.people.map((person) => person.email));
      },
      openPanel: ({ focus }, sender) => {
        openPanel(sender.tabId);
        panel.setFocus(sender.tabId, focus?.toLowerCase());
      },
      captureContact: async (contact, sender) => {
        openPanel(sender.tabId);
        await deps.phoneReady;
        const tab = await browser.tabs.get(sender.tabId);
        panel.setCapture(
          sender.tabId,
          draftFromContact(contact, { url: sender.url, title: tab.title ?? '' }, deps.phone()),
        );
      },
      pageCaptured: async (capture, sender) => {
        const pending = capturing.get(sender.tabId);
        capturing.delete(sender.tabId);
        await deps.phoneReady;
        panel.setCapture(
          sender.tabId,
          draftFromPage({ ...capture, linkUrl: capture.linkUrl ?? pending?.linkUrl }, deps.phone()),
        );
      },
      scanFinished: (stats, sender) => {
        scanStats.set(sender.tabId, stats);
      },
    },
    allowed,
    (name, error) => log(`${name} failed: ${(error as Error).message}`),
  );

  const chipsForGmail = async (emails: string[]) => {
    const found = await cardsByEmail(db, emails);
    const chips = await chipCards(db, [...found.values()]);
    return Object.fromEntries(
      emails.map((email) => {
        const card = found.get(email.toLowerCase());
        return [email.toLowerCase(), card ? (chips.get(card.id) ?? null) : null];
      }),
    );
  };

  // The context menu: capture a selection, a link or the whole page.
  const createMenu = () =>
    browser.contextMenus.removeAll().then(() =>
      browser.contextMenus.create({
        id: MENU_ID,
        title: t('menu.capture'),
        contexts: ['selection', 'link', 'page'],
      }),
    );
  browser.runtime.onInstalled.addListener(() => void createMenu());
  browser.contextMenus.onClicked.addListener((info, tab) => {
    if (info.menuItemId !== MENU_ID || tab?.id === undefined) return;
    openPanel(tab.id);
    startCapture(tab.id, info.frameId ?? 0, info.linkUrl).catch((error: Error) =>
      log(`capture could not read the page: ${error.message}`),
    );
  });

  const siteAccess = async (tabId?: number): Promise<SiteAccess> => {
    // The toolbar popup belongs to the last focused browser window; its active tab is the page in question.
    const tab =
      tabId !== undefined
        ? await browser.tabs.get(tabId)
        : (await browser.windows.getLastFocused({ windowTypes: ['normal'], populate: true })).tabs?.find(
            (item) => item.active,
          );
    const site = siteOf(tab?.url);
    const sites = await allowedSitesItem.getValue();
    return { tabId: tab?.id, site, allowed: site !== null && allowedSites.includes(site), sites };
  };

  const cardsChanged = () => {
    panel.rescanPages();
    for (const tabId of panel.contentTabs) deps.onPanelChanged(tabId);
  };

  const handlers: PanelHandlers = {
    getPanelView: ({ tabId, focus }) => panel.view(tabId, focus?.toLowerCase()),
    saveCapture: async ({ tabId, draft }) => {
      const card = await panel.saveCapture(tabId, draft);
      await deps.onCardsChanged();
      return card;
    },
    addToCard: async ({ tabId, cardId, draft }) => {
      const card = await panel.addToCard(tabId, cardId, draft);
      await deps.onCardsChanged();
      return card;
    },
    logEmail: async ({ tabId, cardId, withBody }) => {
      const body = withBody
        ? String(
            await browser.tabs.sendMessage(
              tabId,
              { kesher: 'content-query', name: 'messageBody' },
              { frameId: 0 },
            ),
          )
        : undefined;
      await panel.logEmail(tabId, cardId, body);
      await deps.onCardsChanged();
    },
    getSiteAccess: ({ tabId }) => siteAccess(tabId),
    allowSite: async ({ site, tabId }) => {
      allowedSites = await allowSite(site);
      // The page already open gets its chips now, not at its next load.
      if (tabId !== undefined) {
        await browser.scripting
          .executeScript({ target: { tabId }, files: [PAGE_SCRIPT_FILE] })
          .catch((error: Error) => log(`scan: ${error.message}`));
      }
      return siteAccess(tabId);
    },
    forgetSite: async ({ site, tabId }) => {
      allowedSites = await forgetSite(site);
      return siteAccess(tabId);
    },
    scanTabOnce: async ({ tabId }) => {
      oneOff.add(tabId);
      await browser.scripting.executeScript({ target: { tabId }, files: [PAGE_SCRIPT_FILE] });
    },
    captureTab: async ({ tabId }) => {
      await startCapture(tabId, 0);
    },
  };

  if (import.meta.env.KESHER_BENCH || import.meta.env.KESHER_E2E) {
    (globalThis as unknown as { kesherScanStats: Map<number, ScanStats> }).kesherScanStats = scanStats;
  }
  return { panel, handlers, cardsChanged, scanStats };
}
