/** A card's deals on its page: each with Edit, and a form for a new one. */
import { useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { dealsOf, saveDeal } from '../../db/deals';
import { Section } from '../../ui/components';
import { t } from '../../ui/i18n';
import { changed, db } from '../app-shell/page-db';
import { cardKeys } from '../app-shell/query';
import { useDealSettings } from './use-deal-settings';
import { assignable, useTeam } from '../team/use-team';
import { type DealDraft, DealForm, DealLine } from './DealForm';

export function CardDeals({ cardId, focusDeal }: { cardId: string; focusDeal?: string }) {
  const client = useQueryClient();
  const team = assignable(useTeam());
  const [editing, setEditing] = useState<string | undefined>(focusDeal);
  const { currency } = useDealSettings();
  const deals = useQuery({
    queryKey: [...cardKeys.detail(cardId), 'deals'],
    queryFn: () => dealsOf(db, cardId),
  });
  const save = async (draft: DealDraft) => {
    await saveDeal(db, { ...draft, cardId });
    await changed();
    await client.invalidateQueries({ queryKey: cardKeys.all });
  };
  return (
    <Section title={t('deals.title')}>
      {deals.data?.length === 0 ? <p class="empty">{t('deals.empty')}</p> : null}
      <ul class="deals" data-testid="card-deals">
        {(deals.data ?? []).map((deal) => (
          <li key={deal.id} data-stage={deal.stage} id={`deal-${deal.id}`}>
            <DealLine deal={deal} />{' '}
            <button type="button" onClick={() => setEditing(editing === deal.id ? undefined : deal.id)}>
              {t('deals.edit')}
            </button>
            {editing === deal.id ? (
              <DealForm
                deal={deal}
                currency={currency}
                team={team}
                onSave={save}
                onDone={() => setEditing(undefined)}
              />
            ) : null}
          </li>
        ))}
      </ul>
      <details class="new-deal" data-testid="card-new-deal">
        <summary>{t('deals.new')}</summary>
        <DealForm currency={currency} team={team} onSave={save} />
      </details>
    </Section>
  );
}
