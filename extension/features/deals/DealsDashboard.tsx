/**
 * The dashboard's deals: pipeline value by stage, the weighted forecast for this month and the next, deals
 * won and lost per month (the last six) and per owner, and the average time from a card's creation to its
 * first won deal — in the office's currency (deals in others are counted apart).
 */
import { useQuery } from '@tanstack/preact-query';
import { monthOf, pipelineFigures } from '../../../shared/deals';
import { type Card, type Currency, DEAL_STAGES } from '../../../shared/records';
import { Section } from '../../ui/components';
import { formatMoney } from '../../ui/format';
import { locale, t } from '../../ui/i18n';
import { db } from '../app-shell/page-db';
import { dashboardKeys } from '../app-shell/query';
import { Bars } from '../../ui/Bars';
import { useDealSettings } from './use-deal-settings';

const OPEN_STAGES = DEAL_STAGES.filter((stage) => stage !== 'won' && stage !== 'lost');

async function loadDeals(currency: Currency) {
  const deals = await db.deals.toArray();
  const ids = [...new Set(deals.filter((deal) => deal.stage === 'won').map((deal) => deal.cardId))];
  const cards = new Map(
    (await db.cards.bulkGet(ids)).filter((card): card is Card => !!card).map((card) => [card.id, card]),
  );
  return { figures: pipelineFigures(deals, currency, cards), count: deals.length };
}

/** This month and the five before it, oldest first ("2026-07" … "2026-12"). */
function lastMonths(count: number, now = new Date()): string[] {
  return Array.from({ length: count }, (_, index) =>
    monthOf(new Date(now.getFullYear(), now.getMonth() - (count - 1 - index), 1).getTime()),
  );
}

const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00`).toLocaleDateString(locale(), { month: 'short', year: '2-digit' });

export function DealsDashboard() {
  const { currency } = useDealSettings();
  const data = useQuery({
    queryKey: [...dashboardKeys.all, 'deals', currency],
    queryFn: () => loadDeals(currency),
  });
  if (!data.data || data.data.count === 0) return null;
  const { figures } = data.data;
  const money = (value: number) => formatMoney(value, currency, locale());
  const now = new Date();
  const thisMonth = monthOf(now.getTime());
  const nextMonth = monthOf(new Date(now.getFullYear(), now.getMonth() + 1, 1).getTime());
  const owners = Object.entries(figures.byOwner).sort(([a], [b]) => a.localeCompare(b));
  return (
    <>
      <div class="card-columns">
        <Section title={t('dashboard.pipeline')}>
          <div data-testid="dashboard-pipeline">
            <Bars
              slot={72}
              label={t('dashboard.pipeline')}
              format={money}
              items={OPEN_STAGES.map((stage) => ({
                name: t(`dealStage.${stage}`),
                values: [{ value: figures.byStage[stage].value, className: 'neutral' }],
              }))}
            />
          </div>
        </Section>
        <Section title={t('dashboard.forecast')}>
          <dl class="figures" data-testid="dashboard-forecast">
            <dt>{monthName(thisMonth)}</dt>
            <dd data-month="this">{money(figures.forecast[thisMonth] ?? 0)}</dd>
            <dt>{monthName(nextMonth)}</dt>
            <dd data-month="next">{money(figures.forecast[nextMonth] ?? 0)}</dd>
          </dl>
          <p class="muted" data-testid="dashboard-lead-to-won">
            {figures.leadToWonDays !== undefined
              ? t('dashboard.leadToWon', {
                  days: new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(
                    figures.leadToWonDays,
                  ),
                })
              : t('dashboard.noneWon')}
          </p>
        </Section>
      </div>
      <div class="card-columns">
        <Section title={t('dashboard.wonLost')}>
          <p class="legend">
            <span class="swatch answered" /> {t('dealStage.won')} <span class="swatch missed" />{' '}
            {t('dealStage.lost')}
          </p>
          <div data-testid="dashboard-won-lost">
            <Bars
              slot={56}
              label={t('dashboard.wonLost')}
              items={lastMonths(6).map((month) => ({
                name: monthName(month),
                values: [
                  { value: figures.closedByMonth[month]?.won ?? 0, className: 'answered' },
                  { value: figures.closedByMonth[month]?.lost ?? 0, className: 'missed' },
                ],
              }))}
            />
          </div>
        </Section>
        <Section title={t('dashboard.byOwner')}>
          <table class="owners" data-testid="dashboard-owners">
            <thead>
              <tr>
                <th>{t('deals.owner')}</th>
                <th>{t('dealStage.won')}</th>
                <th>{t('dealStage.lost')}</th>
                <th>{t('deals.value')}</th>
              </tr>
            </thead>
            <tbody>
              {owners.map(([owner, row]) => (
                <tr key={owner} data-owner={owner}>
                  <td>
                    <bdi>{owner || t('tasks.nobody')}</bdi>
                  </td>
                  <td>{row.won}</td>
                  <td>{row.lost}</td>
                  <td>{money(row.wonValue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      </div>
    </>
  );
}
