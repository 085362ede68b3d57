import { useEffect, useState } from 'preact/hooks';
import { CallsView } from '../call-log/CallsView';
import { SettingsView } from '../pairing/SettingsView';

const ROUTES = {
  '#/calls': { title: 'Unknown callers', View: CallsView },
  '#/settings': { title: 'Settings', View: SettingsView },
} as const;
type Route = keyof typeof ROUTES;

function currentRoute(): Route {
  return location.hash in ROUTES ? (location.hash as Route) : '#/calls';
}

export function AppShell() {
  const [route, setRoute] = useState<Route>(currentRoute);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const { View } = ROUTES[route];
  return (
    <div class="app">
      <nav class="app-nav" aria-label="Kesher">
        <strong class="brand">Kesher</strong>
        {(Object.keys(ROUTES) as Route[]).map((key) => (
          <a key={key} href={key} aria-current={key === route ? 'page' : undefined}>
            {ROUTES[key].title}
          </a>
        ))}
      </nav>
      <View />
    </div>
  );
}
