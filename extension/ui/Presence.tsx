/** "Dana Levi (102) is on a call with this customer now (3:12)", the time counting while it lasts. */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from './format';
import { locale, t } from './i18n';

export function PresenceLine({
  presence,
  testId,
}: {
  presence: { who: string; since: number };
  testId: string;
}) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.round((now - presence.since) / 1000));
  return (
    <p class="presence" data-testid={testId} role="status">
      <bdi>{presence.who}</bdi> {t('presence.onCall', { duration: formatDuration(seconds, locale()) })}
    </p>
  );
}
