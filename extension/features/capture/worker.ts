/**
 * The worker side of capture: the context menu (a selection, a link, the page), the capture script injected
 * into the tab on the user's click, and the capture form's save into a new card or an existing one.
 */
import { browser } from 'wxt/browser';
import type { ContentHandlers, ContentPolicy, ContentSender } from '../../doors/content';
import type { Handlers } from '../../doors/page';
import { t } from '../../ui/i18n';
import type { WorkerContext } from '../../worker/context';
import { CAPTURE_SCRIPT_FILE } from '../page-contacts/sites';
import type { SidePanelFeature } from '../side-panel/worker';
import { draftFromContact, draftFromPage } from './capture-draft';

const MENU_ID = 'kesher-capture';

export function installCapture(
  ctx: WorkerContext,
  panel: SidePanelFeature,
  /** Pages whose chips may ask for a capture (those that have chips). */
  onPage: (sender: ContentSender) => boolean,
) {
  /** Tabs whose capture script the worker injected, until it reported (activeTab). */
  const capturing = new Map<number, { linkUrl?: string }>();
  browser.tabs.onRemoved.addListener((tabId) => capturing.delete(tabId));

  const start = async (tabId: number, frameId: number, linkUrl?: string) => {
    capturing.set(tabId, { linkUrl });
    await browser.scripting.executeScript({
      target: { tabId, frameIds: [frameId] },
      files: [CAPTURE_SCRIPT_FILE],
    });
  };

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
    panel.open(tab.id);
    start(tab.id, info.frameId ?? 0, info.linkUrl).catch((error: Error) =>
      ctx.log(`capture could not read the page: ${error.message}`),
    );
  });

  const handlers: Pick<Handlers, 'saveCapture' | 'addToCard' | 'captureTab'> = {
    saveCapture: async ({ tabId, draft }) => {
      const card = await panel.panel.saveCapture(tabId, draft);
      await ctx.changed(card.id);
      return card;
    },
    addToCard: async ({ tabId, cardId, draft }) => {
      const card = await panel.panel.addToCard(tabId, cardId, draft);
      await ctx.changed(card.id);
      return card;
    },
    captureTab: ({ tabId }) => start(tabId, 0),
  };
  const content: {
    handlers: Pick<ContentHandlers, 'captureContact' | 'pageCaptured'>;
    policy: Pick<ContentPolicy, 'captureContact' | 'pageCaptured'>;
  } = {
    handlers: {
      captureContact: async (contact, sender) => {
        panel.open(sender.tabId);
        await ctx.ready;
        const tab = await browser.tabs.get(sender.tabId);
        panel.panel.setCapture(
          sender.tabId,
          draftFromContact(contact, { url: sender.url, title: tab.title ?? '' }, ctx.phone()),
        );
      },
      pageCaptured: async (capture, sender) => {
        const pending = capturing.get(sender.tabId);
        capturing.delete(sender.tabId);
        await ctx.ready;
        panel.panel.setCapture(
          sender.tabId,
          draftFromPage({ ...capture, linkUrl: capture.linkUrl ?? pending?.linkUrl }, ctx.phone()),
        );
      },
    },
    policy: {
      captureContact: onPage,
      // Only the script the worker injected on the user's click may report a page.
      pageCaptured: (sender) => capturing.has(sender.tabId),
    },
  };
  return { handlers, content };
}
