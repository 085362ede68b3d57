/** Calls no card has claimed yet: each number waits here until a card with it is saved. */
import { useQuery } from '@tanstack/preact-query';
import { useEffect, useState } from 'preact/hooks';
import { sendMessage } from '../../doors/page';
import { describeInteraction, Ltr } from '../../ui/components';
import { formatDateTime, relativeTime } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { callKeys } from '../app-shell/query';
import { type CallGap, callGapsItem } from '../settings/items';

function useCallGaps(): [CallGap[], (gaps: CallGap[]) => void] {
  const [gaps, setGaps] = useState<CallGap[]>([]);
  useEffect(() => {
    void callGapsItem.getValue().then(setGaps);
    return callGapsItem.watch((next) => setGaps(next ?? []));
  }, []);
  return [gaps, (next) => void callGapsItem.setValue(next)];
}

function gapText(gap: CallGap): string {
  const until = formatDateTime(gap.until, locale());
  if (gap.since === undefined || gap.since >= gap.until) {
    return t(gap.reason === 'expired' ? 'calls.gapExpiredBefore' : 'calls.gapNewJournalBefore', { until });
  }
  const since = formatDateTime(gap.since, locale());
  return t(gap.reason === 'expired' ? 'calls.gapExpired' : 'calls.gapNewJournal', { since, until });
}

/** Where the call log may be incomplete: said once per gap until the user dismisses it. */
function CallGaps() {
  const [gaps, save] = useCallGaps();
  if (gaps.length === 0) return null;
  return (
    <ul class="notices" data-testid="calls-gaps">
      {gaps.map((gap) => (
        <li
          key={`${gap.reason}-${gap.until}`}
          class="notice"
          data-testid="calls-gap"
          data-reason={gap.reason}
        >
          <span>{gapText(gap)}</span>
          <button type="button" onClick={() => save(gaps.filter((other) => other !== gap))}>
            {t('calls.gapDismiss')}
          </button>
        </li>
      ))}
    </ul>
  );
}

export function CallsView() {
  const calls = useQuery({ queryKey: callKeys.unknown, queryFn: () => sendMessage('listUnknownCalls') });
  return (
    <div class="page-body">
      <h1>{t('calls.title')}</h1>
      <CallGaps />
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
