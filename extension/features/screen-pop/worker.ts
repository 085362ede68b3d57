/** The worker side of the screen pop: who gets a pop for a call, its window, and what the pop page asks. */
import type { CallFrame } from '../bridge-link/link';
import type { Handlers } from '../../doors/page';
import { locale } from '../../ui/i18n';
import type { WorkerContext } from '../../worker/context';
import { cardView, loggedCall } from './pop-view';
import { ScreenPop } from './screen-pop';

export function installScreenPop(ctx: WorkerContext, deps: { ack(callId: string): void }) {
  const pop = new ScreenPop(ctx.db, ctx.phone, ctx.myExtensions, ctx.log, locale);
  ctx.onChanged(() => pop.refreshOpen());
  const handlers: Pick<Handlers, 'getPopView' | 'getCardView' | 'popShown' | 'getPresence'> = {
    getPresence: async (cardId) => {
      const card = await ctx.db.cards.get(cardId);
      return card ? pop.presence(card.phoneKeys) : [];
    },
    getPopView: async (callId) => {
      const cached = await pop.view(callId);
      if (cached) return cached;
      const call = await loggedCall(ctx.db, callId);
      return call ? pop.build(call) : null;
    },
    getCardView: (cardId) => cardView(ctx.db, cardId),
    popShown: async (callId) => {
      deps.ack(callId);
      await pop.shown(callId);
    },
  };
  return {
    /** Office mode's users: an answering extension is shown with its colleague's name. */
    setPeople: (people: ReadonlyArray<{ name: string; extensions: string[] }>) => pop.setPeople(people),
    talking: () => pop.talking(),
    /** Popped calls survive a worker restart: load them before the link delivers calls. */
    restored: pop.restore(),
    onCall: async (frame: CallFrame) => {
      if (frame.call.status === 'ringing' && !frame.replay) ctx.ringing();
      await ctx.ready;
      await pop.onCall(frame.call, frame.replay);
    },
    handlers,
  };
}
