/** Calls no card has claimed yet: each number waits here until a card with it is saved. */
import { useQuery } from '@tanstack/preact-query';
import { sendMessage } from '../../messaging';
import { describeInteraction, Ltr } from '../../ui/components';
import { relativeTime } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { callKeys } from '../../ui/query';

export function CallsView() {
  const calls = useQuery({ queryKey: callKeys.unknown, queryFn: () => sendMessage('listUnknownCalls') });
  return (
    <div class="page-body">
      <h1>{t('calls.title')}</h1>
      {calls.isError ? <p class="error">{calls.error.message}</p> : null}
      {calls.data?.length === 0 ? <p class="empty">{t('calls.empty')}</p> : null}
      <ul class="timeline" data-testid="calls-unknown">
        {calls.data?.map((call) => (
          <li key={call.id} data-outcome={call.outcome}>
            <span class="what">
              <Ltr>{call.display || t('calls.withheld')}</Ltr>
              {call.call?.fromName ? <span dir="auto"> · {call.call.fromName}</span> : null}
            </span>
            <span class="muted">{describeInteraction(call)}</span>
            <time dateTime={new Date(call.at).toISOString()}>
              {relativeTime(call.at, Date.now(), locale())}
            </time>
          </li>
        ))}
      </ul>
    </div>
  );
}
