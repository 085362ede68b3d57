/**
 * The side panel: the card for the current tab (Gmail's sender and the thread's other people, a contact
 * found on a page) or the capture form. It shows the tab given in its address (`?tab=`, set when a chip or
 * the context menu opened it), else follows the active tab of its window.
 */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { onEvent, type PanelView, sendMessage } from '../../doors/page';
import { Ltr, Section, StatusLight, TaskList, Timeline } from '../../ui/components';
import { DealLine } from '../deals/DealForm';
import { applyStageNames } from '../deals/office-words';
import { t } from '../../ui/i18n';
import { panelKeys } from '../app-shell/query';
import { useAction } from '../../ui/use-action';
import { CaptureForm } from './CaptureForm';
import { PresenceLine } from '../../ui/Presence';
import type { Presence } from '../../doors/page';

/** A colleague on a call with this sender's company or person right now (office mode). */
function PanelPresence({ cardId }: { cardId: string }) {
  const [presence, setPresence] = useState<Presence[]>([]);
  useEffect(() => {
    const load = () => void sendMessage('getPresence', cardId).then(setPresence, () => setPresence([]));
    load();
    return onEvent('presenceChanged', load);
  }, [cardId]);
  if (presence.length === 0) return null;
  return (
    <div data-testid="panel-presence">
      {presence.map((item) => (
        <PresenceLine key={`${item.who}-${item.since}`} presence={item} testId="panel-presence-line" />
      ))}
    </div>
  );
}

function useTabId(): number | null {
  const fixed = Number(new URLSearchParams(location.search).get('tab'));
  const [tabId, setTabId] = useState<number | null>(Number.isInteger(fixed) && fixed > 0 ? fixed : null);
  useEffect(() => {
    if (tabId !== null && Number.isInteger(fixed) && fixed > 0) return;
    void browser.tabs.query({ active: true, currentWindow: true }).then(([tab]) => setTabId(tab?.id ?? null));
    const follow = (info: { tabId: number }) => setTabId(info.tabId);
    browser.tabs.onActivated.addListener(follow);
    return () => browser.tabs.onActivated.removeListener(follow);
  }, []);
  return tabId;
}

export function PanelApp() {
  const tabId = useTabId();
  const [focus, setFocus] = useState<string | undefined>(undefined);
  const client = useQueryClient();
  useEffect(
    () =>
      onEvent('panelChanged', (event) => {
        if (event.tabId === tabId) void client.invalidateQueries({ queryKey: panelKeys.all });
      }),
    [tabId],
  );
  const query = useQuery({
    queryKey: panelKeys.view(tabId ?? 0, focus),
    queryFn: () => sendMessage('getPanelView', { tabId: tabId ?? 0, focus }),
    enabled: tabId !== null,
  });
  const view = query.data;
  return (
    <main class="panel" aria-busy={query.isLoading}>
      {query.error ? <p role="alert">{(query.error as Error).message}</p> : null}
      {!view ? <p class="empty">{t('common.loading')}</p> : <PanelBody view={view} onSelect={setFocus} />}
    </main>
  );
}

function PanelBody({ view, onSelect }: { view: PanelView; onSelect: (key: string) => void }) {
  if (view.mode === 'empty') return <p class="empty">{t('panel.empty')}</p>;
  return (
    <>
      {view.people.length > 1 ? (
        <nav aria-label={t('panel.people')} class="panel-people">
          {view.people.map((person) => (
            <button
              type="button"
              key={person.key}
              data-testid="panel-person"
              aria-pressed={person.key === view.selected}
              onClick={() => onSelect(person.key)}
            >
              {person.status ? <StatusLight status={person.status} compact /> : null}
              <bdi>{person.name}</bdi>
              <span class="muted"> · {t(`panel.role.${person.role as 'from'}`)}</span>
            </button>
          ))}
        </nav>
      ) : null}
      {view.saved ? (
        <p role="status" data-testid="panel-saved">
          {t('panel.saved')}
        </p>
      ) : null}
      {view.card ? <PanelCard view={view} /> : null}
      {view.draft && !view.saved ? (
        <CaptureForm key={`${view.tabId}:${view.selected ?? ''}:${view.draft.sourceUrl}`} view={view} />
      ) : null}
    </>
  );
}

function PanelCard({ view }: { view: PanelView }) {
  const { card, tasks, interactions, deals, dealSettings } = view.card!;
  applyStageNames(dealSettings?.stageNames);
  const [withBody, setWithBody] = useState(false);
  const log = useAction(() => sendMessage('logEmail', { tabId: view.tabId, cardId: card.id, withBody }));
  return (
    <article class="panel-card">
      <header>
        <h1 data-testid="panel-card-name" dir="auto">
          {card.name}
        </h1>
        <StatusLight status={card.status} note={card.statusNote} testId="panel-status-light" />
        <p class="muted">
          {[card.title, card.company].filter(Boolean).map((part) => (
            <bdi key={part}>{part} </bdi>
          ))}
          {t(`stage.${card.stage}`)}
        </p>
        {view.matchedBy === 'domain' ? <p class="muted">{t('panel.byDomain')}</p> : null}
        <PanelPresence cardId={card.id} />
        {card.phones[0] ? (
          <p>
            <Ltr>{card.phones[0].raw}</Ltr>
          </p>
        ) : null}
        <p>
          <a href={browser.runtime.getURL(`/app.html#/cards/${card.id}`)} target="_blank" rel="noreferrer">
            {t('panel.openCard')}
          </a>
        </p>
      </header>
      {view.email ? (
        <Section title={view.email.subject || t('panel.logEmail')}>
          {view.email.logged ? (
            <p data-testid="panel-email-logged">{t('panel.logged')}</p>
          ) : (
            <>
              <label>
                <input
                  type="checkbox"
                  checked={withBody}
                  onChange={(event) => setWithBody(event.currentTarget.checked)}
                />{' '}
                {t('panel.logBody')}
              </label>{' '}
              <button
                type="button"
                data-testid="panel-log-email"
                disabled={log.pending}
                onClick={() => void log.run()}
              >
                {t('panel.logEmail')}
              </button>
              {log.error ? <p role="alert">{log.error.message}</p> : null}
            </>
          )}
        </Section>
      ) : null}
      {deals?.length ? (
        <Section title={t('deals.open')}>
          <ul class="deals" data-testid="panel-open-deals">
            {deals.map((deal) => (
              <li key={deal.id} data-stage={deal.stage}>
                <a
                  href={browser.runtime.getURL(
                    `/app.html#/cards/${encodeURIComponent(card.id)}?deal=${encodeURIComponent(deal.id)}`,
                  )}
                  target="_blank"
                  rel="noreferrer"
                >
                  <DealLine deal={deal} />
                </a>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <Section title={t('tasks.title')}>
        <TaskList tasks={tasks} testId="panel-open-tasks" />
      </Section>
      <Section title={t('pop.recent')}>
        <Timeline items={interactions} testId="panel-recent-interactions" />
      </Section>
    </article>
  );
}
