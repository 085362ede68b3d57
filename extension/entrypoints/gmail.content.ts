import { defineContentScript } from 'wxt/utils/define-content-script';
import { startGmail } from '../features/gmail/content';

// Gmail only. The e2e build also matches http://127.0.0.1/gmail/* (wxt.config.ts), where the tests serve
// saved Gmail pages.
export default defineContentScript({
  matches: ['https://mail.google.com/*'],
  runAt: 'document_idle',
  noScriptStartedPostMessage: true,
  main(ctx) {
    startGmail(ctx);
  },
});
