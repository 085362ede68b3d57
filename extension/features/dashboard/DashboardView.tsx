/** Plots drawn as plain SVG: calls per day (answered / missed), tasks due, cards by stage. */
import { useQuery } from '@tanstack/preact-query';
import { STAGES } from '../../db/db';
import { Bars } from '../../ui/Bars';
import { Section } from '../../ui/components';
import { locale, t } from '../../ui/i18n';
import { cardSearch, db } from '../app-shell/page-db';
import { dashboardKeys } from '../app-shell/query';
import { DealsDashboard } from '../deals/DealsDashboard';

const DAY = 24 * 60 * 60 * 1000;
const DAYS = 14;

async function loadDashboard() {
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const since = today - (DAYS - 1) * DAY;
  const calls = await db.interactions
    .where('at')
    .aboveOrEqual(since)
    .filter((item) => item.kind === 'call')
    .toArray();
  const days = Array.from({ length: DAYS }, (_, index) => ({
    day: since + index * DAY,
    answered: 0,
    missed: 0,
  }));
  for (const call of calls) {
    const slot = days[Math.floor((call.at - since) / DAY)];
    if (!slot) continue;
    if (call.outcome === 'missed') slot.missed++;
    else slot.answered++;
  }
  const tasks = await db.tasks.filter((task) => task.done === 0).toArray();
  const due = { overdue: 0, today: 0, week: 0, later: 0 };
  for (const task of tasks) {
    if (task.due === undefined) due.later++;
    else if (task.due < today) due.overdue++;
    else if (task.due < today + DAY) due.today++;
    else if (task.due < today + 7 * DAY) due.week++;
    else due.later++;
  }
  const counts = await cardSearch.stageCounts();
  const stages = STAGES.map((stage) => ({ stage, count: counts.get(stage) ?? 0 }));
  return { days, due, stages };
}

export function DashboardView() {
  const data = useQuery({ queryKey: dashboardKeys.all, queryFn: loadDashboard });
  if (!data.data) return <p class="page-body loading">{t('common.loading')}</p>;
  const { days, due, stages } = data.data;
  const dayName = (day: number) =>
    new Date(day).toLocaleDateString(locale(), { day: 'numeric', month: 'numeric' });
  return (
    <div class="page-body wide">
      <h1>{t('dashboard.title')}</h1>
      <Section title={t('dashboard.callsPerDay')}>
        <p class="legend">
          <span class="swatch answered" /> {t('dashboard.answered')} <span class="swatch missed" />{' '}
          {t('dashboard.missedLegend')}
        </p>
        <Bars
          label={t('dashboard.callsPerDay')}
          items={days.map((day) => ({
            name: dayName(day.day),
            values: [
              { value: day.answered, className: 'answered' },
              { value: day.missed, className: 'missed' },
            ],
          }))}
        />
      </Section>
      <div class="card-columns">
        <Section title={t('dashboard.tasksDue')}>
          <Bars
            slot={64}
            label={t('dashboard.tasksDue')}
            items={[
              { name: t('dashboard.overdue'), values: [{ value: due.overdue, className: 'missed' }] },
              { name: t('dashboard.dueToday'), values: [{ value: due.today, className: 'answered' }] },
              { name: t('dashboard.dueWeek'), values: [{ value: due.week, className: 'neutral' }] },
              { name: t('dashboard.later'), values: [{ value: due.later, className: 'neutral' }] },
            ]}
          />
        </Section>
        <Section title={t('dashboard.byStage')}>
          <Bars
            slot={64}
            label={t('dashboard.byStage')}
            items={stages.map((stage) => ({
              name: t(`stage.${stage.stage}`),
              values: [{ value: stage.count, className: 'neutral' }],
            }))}
          />
        </Section>
      </div>
      <DealsDashboard />
    </div>
  );
}
