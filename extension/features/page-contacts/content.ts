/** The page-contacts content script: chips on an allowed site (or a one-off scan of one tab). */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { sendContentMessage, tabDoor } from '../../doors/content';
import { languageItem } from '../settings/language';
import '../../locales/all';
import { resolveLocale, setLocale } from '../../ui/i18n';
import { PageScanner } from './scanner';

const STARTED = Symbol.for('kesher.page-contacts');

export function startPageContacts(ctx: ContentScriptContext): void {
  // A one-off scan of a page the registered script already covers (or a second click) must not double up.
  const world = globalThis as unknown as Record<symbol, PageScanner | undefined>;
  const running = world[STARTED];
  if (running) {
    running.rescanAll();
    return;
  }
  const scanner = new PageScanner(document, {
    signal: ctx.signal,
    // The page's language ("en-US") tells the worker which country its local numbers are from.
    ask: (items) => sendContentMessage('scanPage', { items, lang: document.documentElement.lang }),
    onOpen: (hit) => void sendContentMessage('openPanel', { focus: hit.value }),
    onCapture: (hit, nearby) =>
      void sendContentMessage('captureContact', { kind: hit.kind, value: hit.value, nearby }),
    onFirstPass: (stats) => void sendContentMessage('scanFinished', stats),
  });
  world[STARTED] = scanner;
  ctx.onInvalidated(() => {
    world[STARTED] = undefined;
  });
  ctx.onInvalidated(tabDoor.serveSome({ rescan: () => scanner.rescanAll() }, { onError: () => {} }));
  void languageItem.getValue().then((language) => {
    setLocale(resolveLocale(language, navigator.languages), false);
    scanner.start();
  });
}
