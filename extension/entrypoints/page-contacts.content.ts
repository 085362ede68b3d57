import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPageContacts } from '../features/page-contacts/content';

// Registered at run time, and only for the sites the user allowed (features/page-contacts/sites.ts), or
// injected once into one tab from the toolbar (activeTab). `matches` stays empty: no host permission here.
export default defineContentScript({
  matches: [],
  registration: 'runtime',
  noScriptStartedPostMessage: true,
  main(ctx) {
    startPageContacts(ctx);
  },
});
