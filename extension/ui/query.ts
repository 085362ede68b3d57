import { QueryClient } from '@tanstack/preact-query';
import { onEvent } from '../messaging';

/** One query-key factory per feature keeps invalidation honest. */
export const popKeys = {
  all: ['pop'] as const,
  view: (callId: string) => ['pop', 'view', callId] as const,
  card: (cardId: string) => ['pop', 'card', cardId] as const,
};
export const callKeys = {
  unknown: ['calls', 'unknown'] as const,
};
export const linkKeys = {
  state: ['link', 'state'] as const,
};

/** The worker is local and tells us when data changes: no retries, no refetch on focus. */
export function createQueryClient(): QueryClient {
  const client = new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: Number.POSITIVE_INFINITY },
    },
  });
  onEvent('dataChanged', () => void client.invalidateQueries());
  return client;
}
