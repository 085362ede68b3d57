/**
 * The Gmail content script: tells the worker who is in the open thread or compose window, and puts a chip
 * beside each sender's name. Gmail re-renders the conversation on every open, so the conversation view
 * (`[role=main]`) is watched with one MutationObserver; compose fields are followed through their input
 * events. No polling.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { type ChipCard, type GmailContext, sendContentMessage, tabDoor } from '../../doors/content';
import '../../locales/all';
import { resolveLocale, setLocale } from '../../ui/i18n';
import { createChip, isOurChip } from '../page-contacts/chip';
import { languageItem } from '../settings/language';
import { openMessageBody, readGmail, senderElement, visibleMessages } from './gmail-page';

export function startGmail(ctx: ContentScriptContext): void {
  let last = '';
  let chips: Record<string, ChipCard | null> = {};
  let scheduled = false;
  const placed = new WeakMap<Element, { chip: Element; known: boolean }>();

  const placeChips = () => {
    // Beside the sender of each open (expanded) message; collapsed ones show no body.
    const messages = visibleMessages(document);
    const open = messages.filter((message) => message.querySelector('div.a3s, [data-message-body], .ii'));
    for (const message of open.length > 0 ? open : messages) {
      const sender = senderElement(message);
      const email = sender?.getAttribute('email')?.toLowerCase();
      if (!sender || !email || !(email in chips)) continue;
      const card = chips[email] ?? null;
      const existing = placed.get(sender);
      if (existing?.chip.isConnected && existing.known === Boolean(card)) continue;
      existing?.chip.remove();
      const chip = createChip({
        kind: 'email',
        display: email,
        card,
        onOpen: () => void sendContentMessage('openPanel', { focus: email }),
        onCapture: () => void sendContentMessage('openPanel', { focus: email }),
      });
      if (!chip) continue;
      sender.after(chip);
      placed.set(sender, { chip, known: Boolean(card) });
    }
  };

  const report = (force = false) => {
    const context: GmailContext = readGmail(document, location.href);
    const key = JSON.stringify(context);
    if (!force && key === last) {
      placeChips();
      return;
    }
    last = key;
    void sendContentMessage('gmailContext', context).then(
      (result) => {
        chips = result;
        placeChips();
      },
      () => {
        // The worker is restarting or the extension was updated: the next change reports again.
        last = '';
      },
    );
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    ctx.requestAnimationFrame(() => {
      scheduled = false;
      report();
    });
  };

  const watch = (main: Element) => {
    const observer = new MutationObserver((records) => {
      // Our own chips going in are not Gmail re-rendering.
      if (records.every((record) => [...record.addedNodes, ...record.removedNodes].every(isOurChip))) return;
      schedule();
    });
    observer.observe(main, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['email', 'data-message-id'],
    });
    ctx.onInvalidated(() => observer.disconnect());
    schedule();
  };

  const main = document.querySelector('[role="main"]');
  if (main) watch(main);
  else {
    // Gmail builds its page after load: wait once for the conversation view, then watch only it.
    const waiting = new MutationObserver(() => {
      const found = document.querySelector('[role="main"]');
      if (!found) return;
      waiting.disconnect();
      watch(found);
    });
    waiting.observe(document.documentElement, { childList: true, subtree: true });
    ctx.onInvalidated(() => waiting.disconnect());
  }
  // Compose windows: recipients typed into their fields.
  for (const type of ['input', 'change', 'focusout'] as const) {
    ctx.addEventListener(document, type, (event) => {
      const target = event.target as Element | null;
      if (target?.closest?.('[role="dialog"]')) schedule();
    });
  }
  ctx.addEventListener(window, 'hashchange', schedule);
  // "Log this email" with the message text: only when the user ticked it, and only the worker may ask.
  ctx.onInvalidated(
    tabDoor.serveSome(
      { rescan: () => report(true), messageBody: () => openMessageBody(document) },
      { onError: () => {} },
    ),
  );
  void languageItem
    .getValue()
    .then((language) => setLocale(resolveLocale(language, navigator.languages), false));
}
