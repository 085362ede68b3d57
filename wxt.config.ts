import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { MANIFEST_KEY } from './shared/extension-id';

// KESHER_BENCH=1 builds the benchmark variant into .output-bench: the same extension plus an empty
// probe page (the floor: Chromium opening a bare popup window) and a measuring hook in the worker.
const bench = process.env.KESHER_BENCH === '1';

export default defineConfig({
  srcDir: 'extension',
  publicDir: 'public',
  outDir: bench ? '.output-bench' : '.output',
  hooks: {
    'entrypoints:resolved': (_wxt, entrypoints) => {
      if (bench) return;
      const probe = entrypoints.findIndex((entrypoint) => entrypoint.name === 'probe');
      if (probe >= 0) entrypoints.splice(probe, 1);
    },
  },
  vite: () => ({ plugins: [preact()], define: { 'import.meta.env.KESHER_BENCH': JSON.stringify(bench) } }),
  manifest: {
    name: 'Kesher',
    description:
      'Customer cards that pop when the office phone rings. Local-first: nothing leaves this machine.',
    key: MANIFEST_KEY,
    minimum_chrome_version: '116',
    permissions: ['storage', 'notifications', 'alarms'],
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
