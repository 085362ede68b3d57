import { QueryClientProvider } from '@tanstack/preact-query';
import { render } from 'preact';
import { AppShell } from '../../features/app-shell/AppShell';
import { createQueryClient } from '../../features/app-shell/query';
import { startPage } from '../../features/app-shell/start-page';
import { DEAL_SETTINGS_KEY } from '../../features/deals/office-words';
import { loadDealSettings } from '../../features/deals/use-deal-settings';
import '../../ui/base.css';
import '../../ui/app.css';

if (import.meta.env.KESHER_BENCH) {
  // Benchmark builds only: the app page's own search and database, timed by npm run bench.
  void import('../../features/app-shell/page-db').then(({ cardSearch, db }) => {
    (window as unknown as { kesherBench: unknown }).kesherBench = {
      db,
      warm: () => cardSearch.warm(),
      invalidate: () => cardSearch.invalidate(),
      keep: () => cardSearch.keep(),
      search: (query: string) => cardSearch.search(query),
    };
  });
}

const client = createQueryClient();
// The office's stage names are known before the first paint (no flash of the default names).
void Promise.all([
  startPage(),
  client.prefetchQuery({ queryKey: DEAL_SETTINGS_KEY, queryFn: loadDealSettings }),
]).then(() =>
  render(
    <QueryClientProvider client={client}>
      <AppShell />
    </QueryClientProvider>,
    document.getElementById('root')!,
  ),
);
