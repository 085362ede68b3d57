/** The worker side of click-to-call: ring this user's phone, then the number (progress comes as events). */
import type { ClientFrame } from '../../../shared/protocol';
import type { Handlers } from '../../doors/page';
import type { WorkerContext } from '../../worker/context';

export function installClickToCall(ctx: WorkerContext, send: (frame: ClientFrame) => boolean) {
  const handlers: Pick<Handlers, 'dial'> = {
    dial: ({ number }) => {
      const fromExtension = ctx.myExtensions()[0];
      if (!fromExtension) throw new Error('Set your phone extension in Settings to call from Kesher');
      const requestId = crypto.randomUUID();
      if (!send({ type: 'dial', requestId, number, fromExtension })) {
        throw new Error('The bridge is not connected');
      }
      return { requestId };
    },
  };
  return { handlers };
}
