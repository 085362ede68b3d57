import { QueryClient } from '@tanstack/preact-query';
import type { SearchFilters } from '../search/search';
import { onEvent } from '../../doors/page';

/** One query-key factory per feature keeps invalidation honest. */
export const cardKeys = {
  all: ['cards'] as const,
  search: (query: string, filters: SearchFilters) => ['cards', 'search', query, filters] as const,
  detail: (id: string) => ['cards', 'detail', id] as const,
  tags: ['cards', 'tags'] as const,
};
export const todayKeys = { all: ['today'] as const };
export const dashboardKeys = { all: ['dashboard'] as const };
export const callKeys = {
  unknown: ['calls', 'unknown'] as const,
};

const beforeRefetch: Array<() => void> = [];

/** Run before the queries refetch after a change elsewhere (the page's search list drops its cache). */
export function onDataChanged(hook: () => void): void {
  beforeRefetch.push(hook);
}

/** The worker is local and tells us when data changes: no retries, no refetch on focus. */
export function createQueryClient(): QueryClient {
  const client = new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: Number.POSITIVE_INFINITY },
    },
  });
  onEvent('dataChanged', () => {
    // A change made elsewhere (the worker, another desk through office mode) reaches the search list too.
    for (const hook of beforeRefetch) hook();
    void client.invalidateQueries();
  });
  return client;
}
export const panelKeys = {
  all: ['panel'] as const,
  view: (tabId: number, focus?: string) => ['panel', tabId, focus ?? ''] as const,
};
