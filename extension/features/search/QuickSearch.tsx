/** The toolbar popup (also Ctrl+Shift+K): the same search as the app, a keystroke away. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { Ltr, StatusLight } from '../../ui/components';
import { SiteAccess } from '../page-contacts/SiteAccess';
import { t } from '../../ui/i18n';
import { cardSearch } from '../app-shell/page-db';
import type { CardSummary } from './search';

function openInApp(hash: string): void {
  void browser.tabs.create({ url: browser.runtime.getURL(`/app.html${hash}`) });
  window.close();
}

export function QuickSearch() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CardSummary[]>([]);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    let current = true;
    void cardSearch.search(query, {}, 8).then((cards) => {
      if (current) setResults(query.trim() ? cards : []);
    });
    return () => {
      current = false;
    };
  }, [query]);
  return (
    <div class="quick-search">
      <input
        ref={input}
        type="search"
        dir="auto"
        data-testid="popup-search"
        aria-label={t('popup.search')}
        placeholder={t('popup.search')}
        value={query}
        onInput={(event) => {
          setQuery(event.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((index) => Math.min(results.length - 1, index + 1));
          else if (event.key === 'ArrowUp') setActive((index) => Math.max(0, index - 1));
          else if (event.key === 'Enter' && results[active]) openInApp(`#/cards/${results[active]!.id}`);
          else return;
          event.preventDefault();
        }}
      />
      <ul class="card-list" aria-label={t('nav.cards')}>
        {results.map((card, index) => (
          <li key={card.id}>
            <a
              href={`#/cards/${card.id}`}
              data-testid="popup-result"
              class={index === active ? 'card-row active' : 'card-row'}
              onClick={(event) => {
                event.preventDefault();
                openInApp(`#/cards/${card.id}`);
              }}
            >
              <StatusLight status={card.status} compact />
              <span class="row-name">
                <bdi>{card.name}</bdi>
              </span>
              <span class="row-phone">{card.phone ? <Ltr>{card.phone}</Ltr> : null}</span>
            </a>
          </li>
        ))}
      </ul>
      <p>
        <button type="button" onClick={() => openInApp('#/cards')}>
          {t('popup.open')}
        </button>
      </p>
      <SiteAccess />
    </div>
  );
}
