import { defineContentScript } from 'wxt/utils/define-content-script';
import { sendContentMessage } from '../doors/content';
import { readPage } from '../features/capture/content';

// Injected into one tab when the user asks to capture it (context menu or toolbar; activeTab): reads what
// the page offers and hands it to the worker, which opens the side panel's capture form.
export default defineContentScript({
  matches: [],
  registration: 'runtime',
  noScriptStartedPostMessage: true,
  async main() {
    const capture = await readPage(document);
    await sendContentMessage('pageCaptured', capture);
  },
});
