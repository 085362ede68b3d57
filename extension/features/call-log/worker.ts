/** The worker side of the call log: every call frame logged once, the journal cursor, gaps, unknown callers. */
import { parsePhone } from '../../../shared/phone';
import { unknownCalls } from '../../db/interactions';
import { broadcast, type Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';
import type { CallFrame } from '../bridge-link/link';
import { journalCursorItem } from '../settings/items';
import { CallLogIntake, recordCallGap } from './call-log';

export function installCallLog(ctx: WorkerContext) {
  const intake = new CallLogIntake({
    db: ctx.db,
    phone: async () => {
      await ctx.ready;
      return ctx.phone();
    },
    saveCursor: (cursor) => journalCursorItem.setValue(cursor),
    onLogged: () => {
      broadcast('dataChanged', {});
      ctx.written();
    },
    onError: (error) => ctx.log(`call log: ${(error as Error).message}`),
  });
  const handlers: Pick<Handlers, 'listUnknownCalls'> = {
    listUnknownCalls: async () =>
      (await unknownCalls(ctx.db)).map((call) => ({
        ...call,
        display: parsePhone(call.number ?? '', ctx.phone()).display,
      })),
  };
  return {
    add: (frame: CallFrame) => intake.add(frame),
    caughtUp: (journalId: string, seq: number) => void intake.caughtUp(journalId, seq),
    gap: (gap: Parameters<typeof recordCallGap>[0]) =>
      void recordCallGap(gap).then(() => broadcast('dataChanged', {})),
    handlers,
  };
}
