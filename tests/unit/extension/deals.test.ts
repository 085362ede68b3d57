/**
 * Deals: the stage rules (a lead with a deal becomes a prospect, a win makes a customer, each rule can be
 * turned off), probabilities following the stage, the pipeline's figures checked against the data, and the
 * repository's one-transaction saves with their line on the card's timeline.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCard, saveCard } from '../../../extension/db/cards';
import { createDb, type KesherDb } from '../../../extension/db/db';
import { dealsOf, moveDealTo, openDeals, saveDeal } from '../../../extension/db/deals';
import { readCardWithActivity } from '../../../extension/db/views';
import { readDealSettings, saveDealSettings } from '../../../extension/db/settings';
import { setLocale, setOfficeWords, t, translated } from '../../../extension/ui/i18n';
import {
  cardStageAfter,
  DEFAULT_RULES,
  dealSettingsOf,
  moveDeal,
  pipelineFigures,
} from '../../../shared/deals';
import type { Deal } from '../../../shared/records';

const IL = { defaultCountry: 'IL' };
let db: KesherDb;
let count = 0;
beforeEach(async () => {
  db = createDb(`deals-${++count}`);
  await db.open();
});

const deal = (extra: Partial<Deal>): Deal => ({
  id: crypto.randomUUID(),
  cardId: 'k',
  title: 'x',
  value: 1000,
  currency: 'ILS',
  stage: 'new',
  probability: 10,
  createdAt: 0,
  updatedAt: 0,
  ...extra,
});

describe('stage rules', () => {
  it('a deal moves a lead on to prospect, a win makes a customer; either rule can be off', () => {
    expect(cardStageAfter('lead', { kind: 'created' })).toBe('prospect');
    expect(cardStageAfter('customer', { kind: 'created' })).toBe('customer');
    expect(cardStageAfter('prospect', { kind: 'moved', to: 'won' })).toBe('customer');
    expect(cardStageAfter('prospect', { kind: 'moved', to: 'lost' })).toBe('prospect');
    const off = { leadToProspect: false, wonToCustomer: false };
    expect(cardStageAfter('lead', { kind: 'created' }, off)).toBe('lead');
    expect(cardStageAfter('lead', { kind: 'moved', to: 'won' }, off)).toBe('lead');
  });

  it('the probability follows the stage unless someone set their own; a close dates the deal', () => {
    expect(moveDeal(deal({}), 'proposal', 5).probability).toBe(50);
    expect(moveDeal(deal({ probability: 33 }), 'proposal', 5).probability).toBe(33);
    const won = moveDeal(deal({ probability: 33 }), 'won', 7);
    expect(won).toMatchObject({ probability: 100, closedAt: 7 });
    expect(moveDeal(won, 'negotiation', 9).closedAt).toBeUndefined();
  });
});

describe('pipeline figures', () => {
  it('value per stage, weighted forecast per close month, won/lost per month and owner, lead to won', () => {
    const dec = new Date(2026, 11, 15).getTime();
    const jan = new Date(2027, 0, 10).getTime();
    const figures = pipelineFigures(
      [
        deal({ stage: 'proposal', value: 10_000, probability: 50, expectedClose: dec }),
        deal({ stage: 'negotiation', value: 4_000, probability: 75, expectedClose: dec }),
        deal({ stage: 'new', value: 2_000, probability: 10, expectedClose: jan }),
        deal({ stage: 'won', value: 7_000, owner: 'Noa', closedAt: dec, cardId: 'c1' }),
        deal({ stage: 'lost', value: 3_000, owner: 'Noa', closedAt: jan }),
        deal({ stage: 'won', value: 9_999, currency: 'EUR' }),
      ],
      'ILS',
      new Map([['c1', { createdAt: dec - 10 * 86_400_000 }]]),
    );
    expect(figures.byStage.proposal).toEqual({ count: 1, value: 10_000 });
    expect(figures.byStage.won).toEqual({ count: 1, value: 7_000 });
    expect(figures.forecast).toEqual({ '2026-12': 5_000 + 3_000, '2027-01': 200 });
    expect(figures.closedByMonth).toEqual({
      '2026-12': { won: 1, lost: 0, wonValue: 7_000 },
      '2027-01': { won: 0, lost: 1, wonValue: 0 },
    });
    expect(figures.byOwner).toEqual({ Noa: { won: 1, lost: 1, wonValue: 7_000 } });
    expect(figures.leadToWonDays).toBe(10);
    expect(figures.otherCurrency).toBe(1);
  });
});

describe('the deals repository', () => {
  it('a deal on a lead makes it a prospect; winning it makes a customer; each step is on the timeline', async () => {
    const card = await saveCard(db, buildCard({ name: 'Globex', stage: 'lead' }, IL));
    const made = await saveDeal(
      db,
      { cardId: card.id, title: 'Quote for 12 desks', value: 48_000, currency: 'ILS', expectedClose: 5 },
      DEFAULT_RULES,
    );
    expect(made).toMatchObject({ stage: 'new', probability: 10 });
    expect((await db.cards.get(card.id))?.stage).toBe('prospect');
    expect((await openDeals(db, card.id)).map((item) => item.title)).toEqual(['Quote for 12 desks']);
    expect((await readCardWithActivity(db, card.id, 5))?.deals?.map((item) => item.id)).toEqual([made.id]);
    await moveDealTo(db, made.id, 'proposal');
    await moveDealTo(db, made.id, 'won');
    expect((await db.cards.get(card.id))?.stage).toBe('customer');
    expect(await openDeals(db, card.id)).toEqual([]);
    expect((await dealsOf(db, card.id))[0]).toMatchObject({ stage: 'won', probability: 100 });
    const steps = (await db.interactions.where('cardId').equals(card.id).sortBy('at')).map(
      (item) => item.deal,
    );
    // (Three steps within a millisecond share a time: compared as a set.)
    expect(steps).toHaveLength(3);
    expect(steps).toEqual(
      expect.arrayContaining([
        { dealId: made.id, stage: 'new' },
        { dealId: made.id, stage: 'proposal', from: 'new' },
        { dealId: made.id, stage: 'won', from: 'proposal' },
      ]),
    );
  });

  it('refuses a deal without a title, a negative value or an unknown currency, and writes nothing', async () => {
    const card = await saveCard(db, buildCard({ name: 'Initech', stage: 'lead' }, IL));
    const base = { cardId: card.id, title: 'A', value: 1, currency: 'ILS' as const };
    await expect(saveDeal(db, { ...base, title: ' ' }, DEFAULT_RULES)).rejects.toThrow('needs a title');
    await expect(saveDeal(db, { ...base, value: -1 }, DEFAULT_RULES)).rejects.toThrow('0 or more');
    await expect(saveDeal(db, { ...base, currency: 'XYZ' as 'ILS' }, DEFAULT_RULES)).rejects.toThrow(
      'currency',
    );
    expect(await db.deals.count()).toBe(0);
    expect((await db.cards.get(card.id))?.stage).toBe('lead');
  });
});

describe('deals in and out', () => {
  it('the JSON backup keeps deals and a restore brings them back; the CSV has one row per deal', async () => {
    const { exportBackup, restoreBackup, dealsToCsv } = await import(
      '../../../extension/features/import-export/import-export'
    );
    const card = await saveCard(db, buildCard({ name: 'Globex, Ltd.' }, IL));
    const made = await saveDeal(
      db,
      {
        cardId: card.id,
        title: 'Quote "12 desks"',
        value: 48_000,
        currency: 'ILS',
        stage: 'proposal',
        owner: 'Noa',
      },
      DEFAULT_RULES,
    );
    const backup = await exportBackup(db, {});
    expect(backup.deals?.map((item) => item.id)).toEqual([made.id]);
    await db.deals.clear();
    await restoreBackup(db, JSON.parse(JSON.stringify(backup)));
    expect((await db.deals.get(made.id))?.title).toBe('Quote "12 desks"');
    // An older backup (before deals) restores with none.
    await restoreBackup(db, { ...backup, deals: undefined });
    expect(await db.deals.count()).toBe(0);
    const csv = dealsToCsv([made], new Map([[card.id, card]]));
    const [header, row] = csv.replace('\uFEFF', '').trim().split(/\r?\n/);
    expect(header).toBe(
      'Deal,Card,Value,Currency,Stage,Probability,Expected close,Owner,Lost reason,Created,Closed',
    );
    expect(row).toMatch(/^"Quote ""12 desks""","Globex, Ltd.",48000,ILS,proposal,50,,Noa,,\d{4}-\d\d-\d\d,$/);
  });
});

describe('the office’s deal settings', () => {
  it('resolve to the defaults, and keep only what is valid (a record from another desk may hold anything)', () => {
    expect(dealSettingsOf(undefined)).toEqual({
      rules: DEFAULT_RULES,
      currency: 'ILS',
      stageNames: {},
    });
    expect(
      dealSettingsOf({
        id: 'deals',
        updatedAt: 1,
        wonToCustomer: false,
        dealCurrency: 'GBP' as 'ILS',
        stageNames: { new: '  Inbound ', won: '', lost: 7 as unknown as string, proposal: 'x'.repeat(90) },
      }),
    ).toEqual({
      rules: { leadToProspect: true, wonToCustomer: false },
      currency: 'ILS',
      stageNames: { new: 'Inbound', proposal: 'x'.repeat(40) },
    });
  });

  it('a deal follows the rules as saved: with "lead to prospect" off a lead stays a lead', async () => {
    await saveDealSettings(db, { leadToProspect: false });
    await saveDealSettings(db, { dealCurrency: 'EUR' });
    expect(await readDealSettings(db)).toMatchObject({
      rules: { leadToProspect: false, wonToCustomer: true },
      currency: 'EUR',
    });
    const lead = await saveCard(db, buildCard({ name: 'Initech', stage: 'lead' }, IL));
    await saveDeal(db, { cardId: lead.id, title: 'Pilot', value: 10, currency: 'EUR' });
    expect((await db.cards.get(lead.id))?.stage).toBe('lead');
    await expect(saveDealSettings(db, { stage: 'new', name: 'y'.repeat(41) })).rejects.toThrow('at most 40');
  });

  it('the office’s name for a stage is the word everywhere, in every language; settings still show the usual one', () => {
    setLocale('he', false);
    try {
      setOfficeWords({ 'dealStage.proposal': 'Quote sent' });
      expect(t('dealStage.proposal')).toBe('Quote sent');
      expect(translated('dealStage.proposal')).not.toBe('Quote sent');
      expect(t('dealStage.won')).toBe(translated('dealStage.won'));
    } finally {
      setOfficeWords({});
      setLocale('en', false);
    }
  });
});
