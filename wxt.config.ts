import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { MANIFEST_KEY } from './shared/extension-id';

// KESHER_E2E=1 builds the test variant: identical code, but the web-page content scripts may also
// match http://localhost so saved fixtures can stand in for real sites.
export default defineConfig({
  srcDir: 'extension',
  publicDir: 'public',
  outDir: '.output',
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'Kesher',
    description:
      'Customer cards that pop when the office phone rings. Local-first: nothing leaves this machine.',
    key: MANIFEST_KEY,
    minimum_chrome_version: '116',
    permissions: ['storage', 'notifications', 'alarms'],
    action: { default_title: 'Kesher' },
    icons: { 16: 'icons/16.png', 48: 'icons/48.png', 128: 'icons/128.png' },
  },
});
