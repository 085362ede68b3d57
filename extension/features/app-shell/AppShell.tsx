import { useEffect, useState } from 'preact/hooks';
import { t } from '../../ui/i18n';
import { ToastHost } from '../../ui/toast';
import { CallsView } from '../call-log/CallsView';
import { CardDetail } from '../cards/CardDetail';
import { CardsView } from '../cards/CardsView';
import { DashboardView } from '../dashboard/DashboardView';
import { PipelineView } from '../deals/PipelineView';
import { useDealSettings } from '../deals/use-deal-settings';
import { ImportView } from '../import-export/ImportView';
import { SettingsView } from '../settings/SettingsView';
import { TodayView } from '../today/TodayView';

const NAV = [
  ['#/cards', 'nav.cards'],
  ['#/today', 'nav.today'],
  ['#/pipeline', 'nav.pipeline'],
  ['#/dashboard', 'nav.dashboard'],
  ['#/import', 'nav.import'],
  ['#/calls', 'nav.calls'],
  ['#/settings', 'nav.settings'],
] as const;

function route(hash: string) {
  // "#/cards/<id>?task=<id>": a task to reassign (from its notification).
  const card = /^#\/cards\/([^?]+)(?:\?(task|deal)=(.+))?$/.exec(hash);
  if (card)
    return {
      section: '#/cards',
      view: (
        <CardDetail
          id={decodeURIComponent(card[1]!)}
          focusTask={card[2] === 'task' ? decodeURIComponent(card[3]!) : undefined}
          focusDeal={card[2] === 'deal' ? decodeURIComponent(card[3]!) : undefined}
        />
      ),
    };
  switch (hash) {
    case '#/new':
      return { section: '#/cards', view: <CardDetail /> };
    case '#/today':
      return { section: hash, view: <TodayView /> };
    case '#/pipeline':
      return { section: hash, view: <PipelineView /> };
    case '#/dashboard':
      return { section: hash, view: <DashboardView /> };
    case '#/import':
      return { section: hash, view: <ImportView /> };
    case '#/calls':
      return { section: hash, view: <CallsView /> };
    case '#/settings':
      return { section: hash, view: <SettingsView /> };
    default:
      return { section: '#/cards', view: <CardsView /> };
  }
}

export function AppShell() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  // Read here so that every page re-renders once the office renames a stage (its words are set on read).
  useDealSettings();
  const { section, view } = route(hash);
  return (
    <div class="app">
      <nav class="app-nav" aria-label={t('nav.label')}>
        <strong class="brand">Kesher</strong>
        {NAV.map(([href, key]) => (
          <a key={href} href={href} aria-current={href === section ? 'page' : undefined}>
            {t(key)}
          </a>
        ))}
      </nav>
      <main class="app-main">{view}</main>
      <ToastHost />
    </div>
  );
}
