/**
 * The card list: search-as-you-type with filters, keyboard first ("/" to search, "n" for a new card,
 * arrows and Enter to open).
 */
import { DeletedCards } from './CardHistory';
import { sendMessage } from '../../doors/page';
import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Card, StatusLight as Light } from '../../db/db';
import type { CardSummary } from '../search/search';
import { Ltr, StageOptions, StatusLight, StatusOptions } from '../../ui/components';
import { t } from '../../ui/i18n';
import { cardSearch } from '../app-shell/page-db';
import { cardKeys } from '../app-shell/query';
import type { SearchFilters } from '../search/search';

export function CardsView() {
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<SearchFilters>({});
  const [active, setActive] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const results = useQuery({
    queryKey: cardKeys.search(query, filters),
    queryFn: () => cardSearch.search(query, filters, 100),
    placeholderData: keepPreviousData,
  });
  const tags = useQuery({
    queryKey: cardKeys.tags,
    queryFn: () => cardSearch.tags(),
  });

  useEffect(() => {
    search.current?.focus();
    // The word list for matches inside words loads once the page is idle.
    const idle =
      window.requestIdleCallback?.(() => void cardSearch.warm()) ??
      window.setTimeout(() => void cardSearch.warm(), 200);
    const onKey = (event: KeyboardEvent) => {
      const typing = (event.target as HTMLElement).closest('input, textarea, select');
      if (event.key === '/' && !typing) {
        event.preventDefault();
        search.current?.focus();
      } else if (event.key === 'n' && !typing && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        location.hash = '#/new';
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.cancelIdleCallback?.(idle);
    };
  }, []);

  const cards = results.data ?? [];
  const open = (card: CardSummary) => {
    location.hash = `#/cards/${card.id}`;
  };

  return (
    <div class="page-body wide">
      <div class="toolbar">
        <input
          ref={search}
          type="search"
          class="search"
          data-testid="app-search"
          dir="auto"
          aria-label={t('cards.searchLabel')}
          placeholder={t('cards.search')}
          value={query}
          onInput={(event) => {
            setQuery(event.currentTarget.value);
            setActive(0);
          }}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') setActive((index) => Math.min(cards.length - 1, index + 1));
            else if (event.key === 'ArrowUp') setActive((index) => Math.max(0, index - 1));
            else if (event.key === 'Enter' && cards[active]) open(cards[active]!);
            else return;
            event.preventDefault();
          }}
        />
        <a class="button primary" href="#/new" data-testid="app-new-card">
          {t('cards.new')}
        </a>
      </div>
      <div class="filters">
        <label>
          {t('cards.filterStage')}
          <select
            value={filters.stage ?? ''}
            onChange={(event) =>
              setFilters({ ...filters, stage: (event.currentTarget.value || undefined) as Card['stage'] })
            }
          >
            <option value="">{t('common.all')}</option>
            <StageOptions />
          </select>
        </label>
        <label>
          {t('cards.filterStatus')}
          <select
            value={filters.status ?? ''}
            onChange={(event) =>
              setFilters({ ...filters, status: (event.currentTarget.value || undefined) as Light })
            }
          >
            <option value="">{t('common.all')}</option>
            <StatusOptions />
          </select>
        </label>
        <label>
          {t('cards.filterTag')}
          <select
            value={filters.tag ?? ''}
            onChange={(event) => setFilters({ ...filters, tag: event.currentTarget.value || undefined })}
          >
            <option value="">{t('common.all')}</option>
            {(tags.data ?? []).map((tag) => (
              <option key={tag} value={tag}>
                {tag}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={filters.withOpenTasks ?? false}
            onChange={(event) =>
              setFilters({ ...filters, withOpenTasks: event.currentTarget.checked || undefined })
            }
          />
          {t('cards.filterOpenTasks')}
        </label>
      </div>
      <p class="muted small">{t('cards.shortcuts')}</p>
      {cards.length === 0 && !results.isPending ? <p class="empty">{t('cards.empty')}</p> : null}
      <ul class="card-list" aria-label={t('nav.cards')}>
        {cards.map((card, index) => (
          <li key={card.id}>
            <a
              href={`#/cards/${card.id}`}
              data-testid="app-card-row"
              class={index === active && query ? 'card-row active' : 'card-row'}
              aria-current={index === active && query ? 'true' : undefined}
            >
              <StatusLight status={card.status} compact />
              <span class="row-name">
                <bdi>{card.name}</bdi>
                {card.company && card.kind === 'person' ? (
                  <span class="muted">
                    {' · '}
                    <bdi>{card.company}</bdi>
                  </span>
                ) : null}
              </span>
              <span class="row-phone">
                {card.phone || card.email ? <Ltr>{card.phone ?? card.email}</Ltr> : null}
              </span>
              <span class="stage" data-stage={card.stage}>
                {t(`stage.${card.stage}`)}
              </span>
            </a>
          </li>
        ))}
      </ul>
      <DeletedCards onRestored={() => void sendMessage('notifyChanged')} />
    </div>
  );
}
