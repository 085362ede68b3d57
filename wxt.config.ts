import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { MANIFEST_KEY } from './shared/extension-id';

// KESHER_BENCH=1 builds the benchmark variant into .output-bench: the same extension plus an empty
// probe page (the floor: Chromium opening a bare popup window) and a measuring hook in the worker.
const bench = process.env.KESHER_BENCH === '1';
// KESHER_E2E=1 builds the end-to-end test variant into .output-e2e: the same extension, plus the saved Gmail
// pages the tests serve on http://127.0.0.1/gmail/ count as Gmail, and 127.0.0.1 / localhost are granted
// at install (so "allow this site" needs no permission prompt a test cannot click).
const e2e = process.env.KESHER_E2E === '1';

export default defineConfig({
  srcDir: 'extension',
  publicDir: 'public',
  outDir: bench ? '.output-bench' : e2e ? '.output-e2e' : '.output',
  hooks: {
    'build:manifestGenerated': (_wxt, manifest) => {
      if (!e2e && !bench) return;
      for (const script of manifest.content_scripts ?? []) {
        if (script.matches?.includes('https://mail.google.com/*'))
          script.matches.push('http://127.0.0.1/gmail/*');
      }
      manifest.host_permissions = [
        ...(manifest.host_permissions ?? []),
        'http://127.0.0.1/*',
        'http://localhost/*',
      ];
    },
    'entrypoints:resolved': (_wxt, entrypoints) => {
      if (bench) return;
      const probe = entrypoints.findIndex((entrypoint) => entrypoint.name === 'probe');
      if (probe >= 0) entrypoints.splice(probe, 1);
    },
  },
  vite: () => ({
    plugins: [preact()],
    define: {
      'import.meta.env.KESHER_BENCH': JSON.stringify(bench),
      'import.meta.env.KESHER_E2E': JSON.stringify(e2e),
    },
  }),
  manifest: {
    name: 'Kesher',
    description:
      'Customer cards that pop when the office phone rings. Local-first: nothing leaves this machine.',
    key: MANIFEST_KEY,
    minimum_chrome_version: '116',
    // No host access at install beyond Gmail (its content script): other sites are asked for one by one
    // from the toolbar (optional host permissions), or read once through activeTab.
    permissions: [
      'storage',
      'notifications',
      'alarms',
      'sidePanel',
      'contextMenus',
      'scripting',
      'activeTab',
    ],
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    action: { default_title: 'Kesher' },
    commands: {
      _execute_action: {
        suggested_key: { default: 'Ctrl+Shift+K', mac: 'Command+Shift+K' },
        description: 'Quick search',
      },
    },
    icons: { 16: 'icons/16.png', 48: 'icons/48.png', 128: 'icons/128.png' },
  },
});
