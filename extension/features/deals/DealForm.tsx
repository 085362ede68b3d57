/**
 * A deal's form (new or edit) and a card's list of deals: the same on the card page and in the pop, each
 * saying how a deal is saved (the page through its repository, the pop through the worker).
 */
import { useState } from 'preact/hooks';
import { DEFAULT_PROBABILITY } from '../../../shared/deals';
import { CURRENCIES, type Currency, DEAL_STAGES, type Deal, type DealStage } from '../../../shared/records';
import { AssigneePicker } from '../../ui/components';
import { dateInputToMs, dueWhen, formatMoney, msToDateInput } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { useAction } from '../../ui/use-action';

export interface DealDraft {
  id?: string;
  title: string;
  value: number;
  currency: Currency;
  stage: DealStage;
  probability?: number;
  expectedClose?: number;
  owner?: string;
  lostReason?: string;
}

export function DealForm({
  deal,
  currency,
  team,
  onSave,
  onDone,
}: {
  deal?: Deal;
  /** The office's default currency for a new deal. */
  currency: Currency;
  team: { people: string[]; me: string };
  onSave: (draft: DealDraft) => Promise<unknown>;
  onDone?: () => void;
}) {
  const [title, setTitle] = useState(deal?.title ?? '');
  const [value, setValue] = useState(deal ? String(deal.value) : '');
  // Unset until someone picks: the office's default then (read from settings after the first render).
  const [money, setMoney] = useState<Currency | undefined>(deal?.currency);
  const [stage, setStage] = useState<DealStage>(deal?.stage ?? 'new');
  const [probability, setProbability] = useState(deal ? String(deal.probability) : '');
  const [close, setClose] = useState(msToDateInput(deal?.expectedClose));
  // Unset until someone picks: this desk's user then (who is known only once the team has loaded).
  const [owner, setOwner] = useState<string | undefined>(deal?.owner);
  const [reason, setReason] = useState(deal?.lostReason ?? '');
  const save = useAction(
    () =>
      onSave({
        ...(deal ? { id: deal.id } : {}),
        title,
        value: Number(value.replace(/[\s,]/g, '') || '0'),
        currency: money ?? currency,
        stage,
        ...(probability.trim() ? { probability: Number(probability) } : {}),
        ...(dateInputToMs(close) !== undefined ? { expectedClose: dateInputToMs(close) } : {}),
        ...((owner ?? team.me) ? { owner: owner ?? team.me } : {}),
        ...(stage === 'lost' ? { lostReason: reason } : {}),
      }),
    () => {
      if (!deal) {
        setTitle('');
        setValue('');
        setProbability('');
        setClose('');
      }
      onDone?.();
    },
  );
  return (
    <form
      class="deal-form stack"
      data-testid="deal-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <input
        dir="auto"
        data-testid="deal-title"
        aria-label={t('deals.what')}
        placeholder={t('deals.what')}
        value={title}
        onInput={(event) => setTitle(event.currentTarget.value)}
        required
      />
      <span class="deal-money">
        <input
          dir="ltr"
          inputMode="decimal"
          data-testid="deal-value"
          aria-label={t('deals.value')}
          placeholder={t('deals.value')}
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <select
          aria-label={t('deals.currency')}
          data-testid="deal-currency"
          value={money ?? currency}
          onChange={(event) => setMoney(event.currentTarget.value as Currency)}
        >
          {CURRENCIES.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </select>
      </span>
      <select
        data-testid="deal-stage"
        aria-label={t('deals.stage')}
        value={stage}
        onChange={(event) => setStage(event.currentTarget.value as DealStage)}
      >
        {DEAL_STAGES.map((item) => (
          <option key={item} value={item}>
            {t(`dealStage.${item}`)}
          </option>
        ))}
      </select>
      <input
        type="number"
        min={0}
        max={100}
        aria-label={t('deals.probability')}
        placeholder={`${t('deals.probability')} ${DEFAULT_PROBABILITY[stage]}`}
        value={probability}
        onInput={(event) => setProbability(event.currentTarget.value)}
      />
      <input
        type="date"
        data-testid="deal-close"
        aria-label={t('deals.close')}
        value={close}
        onInput={(event) => setClose(event.currentTarget.value)}
      />
      {team.people.length > 0 ? (
        <AssigneePicker
          value={owner ?? team.me}
          people={team.people}
          me={team.me}
          label={t('deals.owner')}
          onChange={setOwner}
        />
      ) : null}
      {stage === 'lost' ? (
        <input
          dir="auto"
          aria-label={t('deals.lostReason')}
          placeholder={t('deals.lostReason')}
          value={reason}
          onInput={(event) => setReason(event.currentTarget.value)}
        />
      ) : null}
      <button type="submit" data-testid="deal-save" disabled={save.pending}>
        {t('deals.save')}
      </button>
      {save.error ? (
        <p class="error" role="alert">
          {save.error.message}
        </p>
      ) : null}
    </form>
  );
}

/** "Quote for 12 desks · ₪48,000 · Proposal · closes in 5 days". */
export function DealLine({ deal }: { deal: Deal }) {
  return (
    <>
      <bdi class="deal-title">{deal.title}</bdi>
      <span class="deal-value">{formatMoney(deal.value, deal.currency, locale())}</span>
      <span class="deal-stage" data-stage={deal.stage}>
        {t(`dealStage.${deal.stage}`)}
      </span>
      {deal.expectedClose !== undefined && deal.stage !== 'won' && deal.stage !== 'lost' ? (
        <span class="muted">
          {t('deals.closes', { when: dueWhen(deal.expectedClose, Date.now(), locale()) })}
        </span>
      ) : null}
      {deal.owner ? (
        <span class="assignee">
          <bdi>{deal.owner}</bdi>
        </span>
      ) : null}
    </>
  );
}
