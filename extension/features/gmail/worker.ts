/** The worker side of Gmail: the open thread's people as chips, and "Log this email" on a card. */
import { type ContentHandlers, type ContentPolicy, type ContentSender, tabDoor } from '../../doors/content';
import type { Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import { cardsByEmail, chipCards } from '../page-contacts/lookup';
import type { PanelService } from '../side-panel/panel-service';

/** Gmail, and in the e2e build the saved Gmail pages the tests serve on 127.0.0.1. */
export function isGmail(url: string): boolean {
  if (url.startsWith('https://mail.google.com/')) return true;
  return Boolean(import.meta.env.KESHER_E2E) && /^http:\/\/127\.0\.0\.1(?::\d+)?\/gmail\//.test(url);
}

export function installGmail(ctx: WorkerContext, panel: PanelService) {
  const chipsFor = async (emails: string[]) => {
    const found = await cardsByEmail(ctx.db, emails);
    const chips = await chipCards(ctx.db, [...found.values()]);
    return Object.fromEntries(
      emails.map((email) => {
        const card = found.get(email.toLowerCase());
        return [email.toLowerCase(), card ? (chips.get(card.id) ?? null) : null];
      }),
    );
  };
  const handlers: Pick<Handlers, 'logEmail'> = {
    logEmail: async ({ tabId, cardId, withBody }) => {
      const body = withBody ? await tabDoor.sendToTab({ tabId, frameId: 0 }, 'messageBody') : undefined;
      await panel.logEmail(tabId, cardId, body);
      await ctx.changed(cardId);
    },
  };
  const content: {
    handlers: Pick<ContentHandlers, 'gmailContext'>;
    policy: Pick<ContentPolicy, 'gmailContext'>;
  } = {
    handlers: {
      gmailContext: (context, sender) => {
        panel.contentTabs.add(sender.tabId);
        panel.setGmail(sender.tabId, context);
        return chipsFor(context.people.map((person) => person.email));
      },
    },
    // Gmail's top frame only: its frames (ads, previews) are not the thread.
    policy: { gmailContext: (sender) => isGmail(sender.url) && sender.frameId === 0 },
  };
  return { handlers, content, onGmail: (sender: ContentSender) => isGmail(sender.url) };
}
