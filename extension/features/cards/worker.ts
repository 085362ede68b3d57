/** The worker side of cards: what the pop and the panel change on a card (a new lead, a note, a task, a status). */
import { buildCard, saveCard, updateCard } from '../../db/cards';
import { addNote } from '../../db/interactions';
import { addTask, completeTask } from '../../db/tasks';
import type { Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import { dealRulesItem, userNameItem } from '../settings/items';
import { saveDeal } from '../../db/deals';

export function installCards(ctx: WorkerContext) {
  const { db } = ctx;
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
      const deal = await saveDeal(db, input, await dealRulesItem.getValue());
      await ctx.changed(input.cardId);
      return deal;
    },
    // A page changed cards itself (its own repository calls): everyone else follows.
    notifyChanged: () => ctx.changed(),
  };
  return { handlers };
}
