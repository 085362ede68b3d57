/** Merge another card into this one: search, pick, one repository call (its tasks and timeline move over). */
import { useQuery } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import type { Card } from '../../../shared/records';
import { mergeCards } from '../../db/cards';
import { Section } from '../../ui/components';
import { t } from '../../ui/i18n';
import { showToast } from '../../ui/toast';
import { useAction } from '../../ui/use-action';
import { cardSearch, db, phoneOptions } from '../app-shell/page-db';
import type { CardSummary } from '../search/search';

export function MergePanel({ card, onDone }: { card: Card; onDone: () => Promise<void> }) {
  const [query, setQuery] = useState('');
  const results = useQuery({
    queryKey: ['cards', 'merge', card.id, query],
    queryFn: async () =>
      query.trim() ? (await cardSearch.search(query, {}, 8)).filter((other) => other.id !== card.id) : [],
  });
  const merge = useAction(async (summary: CardSummary) => {
    const other = await db.cards.get(summary.id);
    if (!other) return;
    await mergeCards(db, card, other, await phoneOptions());
    setQuery('');
    await onDone();
    showToast(t('card.merged', { name: other.name }));
  });
  return (
    <Section title={t('card.merge')}>
      <input
        type="search"
        dir="auto"
        aria-label={t('card.mergeSearch')}
        placeholder={t('card.mergeSearch')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <ul class="merge-results">
        {(results.data ?? []).map((other) => (
          <li key={other.id}>
            <button type="button" onClick={() => void merge.run(other)}>
              {t('card.mergeInto', { name: card.name })}: <bdi>{other.name}</bdi>
            </button>
          </li>
        ))}
      </ul>
    </Section>
  );
}
