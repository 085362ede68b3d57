/**
 * The worker side of the side panel: one panel per tab (Gmail's people, a capture form), opened from a chip's
 * click or the menu, following every change of cards.
 */
import { browser } from 'wxt/browser';
import type { ContentHandlers, ContentPolicy, ContentSender } from '../../doors/content';
import { broadcast, type Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import { PanelService } from './panel-service';

export interface SidePanelFeature {
  panel: PanelService;
  /** Open this tab's panel. Call it inside the user's click: `sidePanel.open()` needs the gesture. */
  open(tabId: number): void;
  handlers: Pick<Handlers, 'getPanelView'>;
  content: { handlers: Pick<ContentHandlers, 'openPanel'>; policy: Pick<ContentPolicy, 'openPanel'> };
}

export function installSidePanel(
  ctx: WorkerContext,
  /** Which pages have chips that open the panel (Gmail, allowed sites): decided by their features. */
  mayOpen: (sender: ContentSender) => boolean,
): SidePanelFeature {
  const panel = new PanelService(ctx.db, ctx.phone, (tabId) => broadcast('panelChanged', { tabId }));
  void panel.restore();
  browser.tabs.onRemoved.addListener((tabId) => panel.forget(tabId));
  ctx.onChanged(() => {
    panel.rescanPages();
    for (const tabId of panel.contentTabs) broadcast('panelChanged', { tabId });
  });

  const open = (tabId: number) => {
    // Both calls start inside the user's click (a message sent from it, or the menu click): awaiting the
    // first would spend the gesture `open()` needs.
    void browser.sidePanel
      .setOptions({ tabId, path: `sidepanel.html?tab=${tabId}`, enabled: true })
      .catch((error: Error) => ctx.log(`side panel: ${error.message}`));
    void browser.sidePanel
      .open({ tabId })
      .catch((error: Error) => ctx.log(`side panel did not open: ${error.message}`));
  };

  return {
    panel,
    open,
    handlers: { getPanelView: ({ tabId, focus }) => panel.view(tabId, focus?.toLowerCase()) },
    content: {
      handlers: {
        openPanel: ({ focus }, sender) => {
          open(sender.tabId);
          panel.setFocus(sender.tabId, focus?.toLowerCase());
        },
      },
      policy: { openPanel: mayOpen },
    },
  };
}
