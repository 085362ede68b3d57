/**
 * Deals' rules, pure so that every screen and the tests agree: each stage's default probability, what a
 * deal does to its card's stage (a lead with a deal is a prospect; a won deal makes a customer), and the
 * pipeline's figures (value per stage, the weighted forecast per month, won and lost per month and owner,
 * the time from a card's creation to its first won deal).
 */
import {
  type Card,
  CURRENCIES,
  type Currency,
  DEAL_STAGES,
  type Deal,
  type DealStage,
  isOpenDeal,
  MAX_STAGE_NAME,
  type OfficeSettings,
  type Stage,
} from './records';

export const DEFAULT_PROBABILITY: Record<DealStage, number> = {
  new: 10,
  qualified: 25,
  proposal: 50,
  negotiation: 75,
  won: 100,
  lost: 0,
};

/** The card-stage rules, each of which settings can turn off. */
export interface DealRules {
  /** A deal created on a lead moves the card on to prospect. */
  leadToProspect: boolean;
  /** A won deal makes its card a customer. */
  wonToCustomer: boolean;
}
export const DEFAULT_RULES: DealRules = { leadToProspect: true, wonToCustomer: true };

/** The office's deal settings, each field resolved to its default where the record (or the field) is missing. */
export interface DealSettings {
  rules: DealRules;
  currency: Currency;
  stageNames: Partial<Record<DealStage, string>>;
}

export function dealSettingsOf(record: OfficeSettings | undefined): DealSettings {
  const names: Partial<Record<DealStage, string>> = {};
  for (const stage of DEAL_STAGES) {
    const name = record?.stageNames?.[stage];
    if (typeof name === 'string' && name.trim()) names[stage] = name.trim().slice(0, MAX_STAGE_NAME);
  }
  return {
    rules: {
      leadToProspect: record?.leadToProspect ?? DEFAULT_RULES.leadToProspect,
      wonToCustomer: record?.wonToCustomer ?? DEFAULT_RULES.wonToCustomer,
    },
    currency:
      record?.dealCurrency && (CURRENCIES as readonly string[]).includes(record.dealCurrency)
        ? record.dealCurrency
        : 'ILS',
    stageNames: names,
  };
}

/** The card's stage after this happened to one of its deals (unchanged: the same stage back). */
export function cardStageAfter(
  cardStage: Stage,
  event: { kind: 'created' } | { kind: 'moved'; to: DealStage },
  rules: DealRules = DEFAULT_RULES,
): Stage {
  if (event.kind === 'created' && rules.leadToProspect && cardStage === 'lead') return 'prospect';
  if (event.kind === 'moved' && event.to === 'won' && rules.wonToCustomer && cardStage !== 'customer')
    return 'customer';
  return cardStage;
}

/** A deal moved to `stage`: its probability follows the stage unless someone had set their own. */
export function moveDeal(deal: Deal, stage: DealStage, now = Date.now()): Deal {
  const ownProbability = deal.probability !== DEFAULT_PROBABILITY[deal.stage];
  const closes = stage === 'won' || stage === 'lost';
  const next: Deal = {
    ...deal,
    stage,
    probability: closes || !ownProbability ? DEFAULT_PROBABILITY[stage] : deal.probability,
    updatedAt: now,
  };
  if (closes) next.closedAt = now;
  else delete next.closedAt;
  if (stage !== 'lost') delete next.lostReason;
  return next;
}

/** "2026-12": a month as figures group by it (local time). */
export function monthOf(at: number): string {
  const date = new Date(at);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

export interface PipelineFigures {
  /** Open deals' value per stage (one currency: the others are counted apart). */
  byStage: Record<DealStage, { count: number; value: number }>;
  /** Σ value × probability of open deals expected to close in each month. */
  forecast: Record<string, number>;
  /** Won and lost deals per month they closed. */
  closedByMonth: Record<string, { won: number; lost: number; wonValue: number }>;
  /** Won and lost deals per owner ('' for none). */
  byOwner: Record<string, { won: number; lost: number; wonValue: number }>;
  /** Average days from a card's creation to its first won deal (undefined: none won yet). */
  leadToWonDays?: number;
  /** Deals in other currencies, left out of the sums. */
  otherCurrency: number;
}

export function pipelineFigures(
  deals: readonly Deal[],
  currency: string,
  cards: ReadonlyMap<string, Pick<Card, 'createdAt'>> = new Map(),
): PipelineFigures {
  const byStage = Object.fromEntries(DEAL_STAGES.map((stage) => [stage, { count: 0, value: 0 }])) as Record<
    DealStage,
    { count: number; value: number }
  >;
  const forecast: Record<string, number> = {};
  const closedByMonth: PipelineFigures['closedByMonth'] = {};
  const byOwner: PipelineFigures['byOwner'] = {};
  const firstWin = new Map<string, number>();
  let otherCurrency = 0;
  for (const deal of deals) {
    if (deal.currency !== currency) {
      otherCurrency++;
      continue;
    }
    if (isOpenDeal(deal)) {
      byStage[deal.stage].count++;
      byStage[deal.stage].value += deal.value;
      if (deal.expectedClose !== undefined) {
        const month = monthOf(deal.expectedClose);
        forecast[month] = (forecast[month] ?? 0) + (deal.value * deal.probability) / 100;
      }
      continue;
    }
    byStage[deal.stage].count++;
    byStage[deal.stage].value += deal.value;
    const month = monthOf(deal.closedAt ?? deal.updatedAt);
    const monthly = closedByMonth[month] ?? { won: 0, lost: 0, wonValue: 0 };
    closedByMonth[month] = monthly;
    const owner = byOwner[deal.owner ?? ''] ?? { won: 0, lost: 0, wonValue: 0 };
    byOwner[deal.owner ?? ''] = owner;
    if (deal.stage === 'won') {
      monthly.won++;
      monthly.wonValue += deal.value;
      owner.won++;
      owner.wonValue += deal.value;
      const at = deal.closedAt ?? deal.updatedAt;
      if (at < (firstWin.get(deal.cardId) ?? Number.POSITIVE_INFINITY)) firstWin.set(deal.cardId, at);
    } else {
      monthly.lost++;
      owner.lost++;
    }
  }
  const spans = [...firstWin]
    .map(([cardId, at]) => (cards.get(cardId) ? (at - cards.get(cardId)!.createdAt) / 86_400_000 : undefined))
    .filter((days): days is number => days !== undefined && days >= 0);
  return {
    byStage,
    forecast,
    closedByMonth,
    byOwner,
    ...(spans.length > 0 ? { leadToWonDays: spans.reduce((sum, days) => sum + days, 0) / spans.length } : {}),
    otherCurrency,
  };
}
