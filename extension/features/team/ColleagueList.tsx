/** The office's people and what each is doing: on a call (for how long), free at their desk, or away. */
import { useEffect, useState } from 'preact/hooks';
import { Section } from '../../ui/components';
import { formatDuration } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { useTeam } from './use-team';

/** Re-render every second while someone is on a call (the duration counts). */
function useTicking(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ColleagueList() {
  const team = useTeam();
  const others = team.colleagues.filter((colleague) => colleague.name !== team.me);
  const now = useTicking(others.some((colleague) => colleague.state === 'on-call'));
  if (others.length === 0) return null;
  return (
    <Section title={t('team.title')}>
      <ul class="colleagues" data-testid="app-colleagues">
        {others.map((colleague) => (
          <li key={colleague.name} data-state={colleague.state}>
            <span class={`presence-dot presence-${colleague.state}`} aria-hidden="true" />
            <bdi>{colleague.name}</bdi>
            {colleague.extensions.length > 0 ? (
              <span class="muted" dir="ltr">
                {' '}
                ({colleague.extensions.join(', ')})
              </span>
            ) : null}{' '}
            <span class="state">
              {colleague.state === 'on-call'
                ? t('team.onCall', {
                    duration: formatDuration(Math.round((now - (colleague.since ?? now)) / 1000), locale()),
                  })
                : t(`team.${colleague.state}`)}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}
