import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { AppShell } from '../../features/app-shell/AppShell';
import { createQueryClient } from '../../features/app-shell/query';
import { startPage } from '../../features/app-shell/start-page';
import '../../ui/base.css';
import '../../ui/app.css';

if (import.meta.env.KESHER_BENCH) {
  // Benchmark builds only: the app page's own search and database, timed by npm run bench.
  void import('../../features/app-shell/page-db').then(({ cardSearch, db }) => {
    (window as unknown as { kesherBench: unknown }).kesherBench = {
      db,
      warm: () => cardSearch.warm(),
      search: (query: string) => cardSearch.search(query),
    };
  });
}

void startPage().then(() =>
  render(
    <QueryClientProvider client={createQueryClient()}>
      <AppShell />
    </QueryClientProvider>,
    document.getElementById('root')!,
  ),
);
