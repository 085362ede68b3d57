/**
 * The service worker: a composition root. Each feature's `worker.ts` registers its own listeners and returns
 * its share of the door handlers; this file only wires them together (the compiler checks that every
 * request of each door has its handler and every content request its site rule).
 */
import { defineBackground } from 'wxt/utils/define-background';
import { type ContentHandlers, type ContentPolicy, serveContentMessages } from '../doors/content';
import { broadcast, type Handlers, serveMessages } from '../doors/page';
import { installBenchHooks } from '../features/bench/bench-hooks';
import { installBridgeLink } from '../features/bridge-link/worker';
import { installCallLog } from '../features/call-log/worker';
import { installCapture } from '../features/capture/worker';
import { installCards } from '../features/cards/worker';
import { installClickToCall } from '../features/click-to-call/worker';
import { installGmail } from '../features/gmail/worker';
import { installOfficeSync } from '../features/office-sync/worker';
import { installPageContacts } from '../features/page-contacts/worker';
import { installScreenPop } from '../features/screen-pop/worker';
import { installSidePanel } from '../features/side-panel/worker';
import { installTeam } from '../features/team/worker';
import { createWorkerContext } from '../worker/context';

export default defineBackground({
  type: 'module',
  main() {
    const ctx = createWorkerContext();
    const pop = installScreenPop(ctx, { ack: (callId) => link.send({ type: 'ack', callId }) });
    const calls = installCallLog(ctx);
    const team = installTeam(ctx, { talking: pop.talking });
    const link = installBridgeLink(
      ctx,
      {
        // The pop first; the call log's write follows once the pop window exists, so the two never
        // compete for the database or the browser while the window opens.
        onCall: (frame) =>
          void pop
            .onCall(frame)
            .catch((error: Error) => ctx.log(`pop failed: ${error.message}`))
            .finally(() => void calls.add(frame)),
        onCaughtUp: (journalId, seq) => {
          calls.caughtUp(journalId, seq);
          office.connected();
        },
        onGap: calls.gap,
        onDialResult: (result) => broadcast('dialProgress', result),
        onSync: (frame) => office.onSync(frame),
        onPeople: (people) => {
          pop.setPeople(people);
          team.setPeople(people);
        },
        onState: (state) => office.onLinkState(state),
      },
      Promise.all([pop.restored, ctx.ready]),
    );
    const office = installOfficeSync(ctx, link.send, { onApplied: team.onApplied });
    const panel = installSidePanel(ctx, (sender) => gmail.onGmail(sender) || pages.onPage(sender));
    const pages = installPageContacts(ctx, panel.panel);
    const gmail = installGmail(ctx, panel.panel);
    const capture = installCapture(ctx, panel, pages.onPage);

    serveMessages(
      {
        ...pop.handlers,
        ...calls.handlers,
        ...link.handlers,
        ...installCards(ctx).handlers,
        ...installClickToCall(ctx, link.send).handlers,
        ...panel.handlers,
        ...pages.handlers,
        ...gmail.handlers,
        ...capture.handlers,
        ...office.handlers,
        ...team.handlers,
      } satisfies Handlers,
      (name, error) => ctx.log(`${name} failed: ${(error as Error).message}`),
    );
    serveContentMessages(
      {
        ...panel.content.handlers,
        ...pages.content.handlers,
        ...gmail.content.handlers,
        ...capture.content.handlers,
      } satisfies ContentHandlers,
      {
        ...panel.content.policy,
        ...pages.content.policy,
        ...gmail.content.policy,
        ...capture.content.policy,
      } satisfies ContentPolicy,
      (name, error) => ctx.log(`${name} failed: ${(error as Error).message}`),
    );
    if (import.meta.env.KESHER_BENCH) installBenchHooks(ctx.db, ctx.phone);
  },
});
