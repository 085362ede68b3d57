/** The worker side of cards: what the pop and the panel change on a card (a new lead, a note, a task, a status). */
import { buildCard, saveCard, updateCard } from '../../db/cards';
import { addNote } from '../../db/interactions';
import { addTask, completeTask } from '../../db/tasks';
import type { Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import { userNameItem } from '../settings/items';
import { saveDeal } from '../../db/deals';
import { type DealSettingsChange, saveDealSettings } from '../../db/settings';
import { DEAL_SETTINGS_ID } from '../../../shared/records';

/**
 * Deal settings were this desk's own (chrome.storage "dealRules", "dealCurrency") before they were the
 * office's (a synced record): a desk that had changed them keeps its choice, once, unless the office
 * already has settings.
 */
async function adoptDeskDealSettings(ctx: WorkerContext): Promise<void> {
  const stored = await browser.storage.local.get(['dealRules', 'dealCurrency']);
  if (stored.dealRules === undefined && stored.dealCurrency === undefined) return;
  if (!(await ctx.db.settings.get(DEAL_SETTINGS_ID))) {
    const rules = stored.dealRules as { leadToProspect?: unknown; wonToCustomer?: unknown } | undefined;
    const changes: DealSettingsChange[] = [];
    if (typeof rules?.leadToProspect === 'boolean') changes.push({ leadToProspect: rules.leadToProspect });
    if (typeof rules?.wonToCustomer === 'boolean') changes.push({ wonToCustomer: rules.wonToCustomer });
    if (stored.dealCurrency === 'ILS' || stored.dealCurrency === 'EUR' || stored.dealCurrency === 'USD')
      changes.push({ dealCurrency: stored.dealCurrency });
    for (const change of changes) await saveDealSettings(ctx.db, change);
  }
  await browser.storage.local.remove(['dealRules', 'dealCurrency', 'dealRules$', 'dealCurrency$']);
}

export function installCards(ctx: WorkerContext) {
  const { db } = ctx;
  void adoptDeskDealSettings(ctx).catch((error: Error) =>
    ctx.log(`the desk's deal settings were not carried over: ${error.message}`),
  );
  const handlers: Pick<
    Handlers,
    'createLead' | 'addNote' | 'addTask' | 'completeTask' | 'setStatus' | 'notifyChanged' | 'saveDeal'
  > = {
    createLead: async (input) => {
      const name = input.name.trim() || input.phone.trim();
      if (!name) throw new Error('a lead needs a name or a number');
      const card = await saveCard(
        db,
        buildCard(
          {
            name,
            stage: 'lead',
            company: input.company,
            phones: input.phone.trim() ? [{ label: 'phone', raw: input.phone.trim() }] : [],
            emails: input.email ? [input.email] : [],
          },
          ctx.phone(),
        ),
      );
      await ctx.changed(card.id);
      return card;
    },
    addNote: async (input) => {
      const author = await userNameItem.getValue();
      const note = await addNote(db, { ...input, ...(author ? { author } : {}) });
      await ctx.changed(input.cardId);
      return note;
    },
    addTask: async (input) => {
      const task = await addTask(db, { ...input, by: await userNameItem.getValue() });
      await ctx.changed(input.cardId);
      return task;
    },
    completeTask: async (taskId) => {
      await completeTask(db, taskId);
      await ctx.changed();
    },
    setStatus: async ({ cardId, status, note }) => {
      const card = await updateCard(db, cardId, { status, statusNote: note }, ctx.phone());
      await ctx.changed(cardId);
      return card;
    },
    saveDeal: async (input) => {
      const deal = await saveDeal(db, input);
      await ctx.changed(input.cardId);
      return deal;
    },
    // A page changed cards itself (its own repository calls): everyone else follows.
    notifyChanged: () => ctx.changed(),
  };
  return { handlers };
}
