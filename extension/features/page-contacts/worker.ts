/**
 * The worker side of page contacts: the sites the user allowed (their content script registered), one-off
 * scans of a tab, the lookups behind the chips, and the toolbar popup's site access.
 */
import { browser } from 'wxt/browser';
import { countryOfPage } from '../../../shared/page-contacts';
import type { ContentHandlers, ContentPolicy, ContentSender, ScanStats } from '../../doors/content';
import type { Handlers, SiteAccess } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import type { PanelService } from '../side-panel/panel-service';
import { scanItems } from './lookup';
import { allowedSitesItem, allowSite, forgetSite, PAGE_SCRIPT_FILE, siteOf, syncPageScript } from './sites';

export interface PageContactsFeature {
  /** This tab's page may have chips: an allowed site, or a tab the user asked to scan once. */
  onPage(sender: ContentSender): boolean;
  handlers: Pick<Handlers, 'getSiteAccess' | 'allowSite' | 'forgetSite' | 'scanTabOnce'>;
  content: {
    handlers: Pick<ContentHandlers, 'scanPage' | 'scanFinished'>;
    policy: Pick<ContentPolicy, 'scanPage' | 'scanFinished'>;
  };
  /** The last first-pass figures per tab (health and benchmarks). */
  scanStats: Map<number, ScanStats>;
}

export function installPageContacts(ctx: WorkerContext, panel: PanelService): PageContactsFeature {
  let allowedSites: string[] = [];
  const loadSites = () =>
    syncPageScript().then(
      (sites) => (allowedSites = sites),
      (error: Error) => ctx.log(`page script registration failed: ${error.message}`),
    );
  void loadSites();
  allowedSitesItem.watch(() => void loadSites());
  browser.permissions.onRemoved.addListener(() => void loadSites());
  browser.permissions.onAdded.addListener(() => void loadSites());

  /** Tabs where the user asked for one scan (activeTab), until they navigate away. */
  const oneOff = new Set<number>();
  const scanStats = new Map<number, ScanStats>();
  browser.tabs.onRemoved.addListener((tabId) => {
    oneOff.delete(tabId);
    scanStats.delete(tabId);
  });
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.status === 'loading' && change.url) oneOff.delete(tabId);
  });

  const siteAllowed = (url: string) => {
    const site = siteOf(url);
    return site !== null && allowedSites.includes(site);
  };
  const onPage = (sender: ContentSender) => siteAllowed(sender.url) || oneOff.has(sender.tabId);

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

  if (import.meta.env.KESHER_BENCH || import.meta.env.KESHER_E2E) {
    (globalThis as unknown as { kesherScanStats: Map<number, ScanStats> }).kesherScanStats = scanStats;
  }

  return {
    onPage,
    scanStats,
    handlers: {
      getSiteAccess: ({ tabId }) => siteAccess(tabId),
      allowSite: async ({ site, tabId }) => {
        allowedSites = await allowSite(site);
        // The page already open gets its chips now, not at its next load.
        if (tabId !== undefined) {
          await browser.scripting
            .executeScript({ target: { tabId }, files: [PAGE_SCRIPT_FILE] })
            .catch((error: Error) => ctx.log(`scan: ${error.message}`));
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
    },
    content: {
      handlers: {
        scanPage: async ({ items, lang }, sender) => {
          panel.contentTabs.add(sender.tabId);
          await ctx.ready;
          return scanItems(
            ctx.db,
            Array.isArray(items) ? items.slice(0, 1000) : [],
            ctx.phone(),
            countryOfPage(sender.url, typeof lang === 'string' ? lang : undefined),
          );
        },
        scanFinished: (stats, sender) => {
          scanStats.set(sender.tabId, stats);
        },
      },
      policy: { scanPage: onPage, scanFinished: onPage },
    },
  };
}
