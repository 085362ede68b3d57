/**
 * One extension's conversation on the link: hello (protocol check, welcome, gap, catch-up), the pop's ack
 * (pop latency), keep-alives, click-to-call and the settings page's test call.
 */
import { type CallEventInput, type ClientFrame, PROTOCOL_VERSION } from '../../shared/protocol';
import { BRIDGE_VERSION } from '../http/api';
import type { Journal } from '../journal';
import type { PopLatency } from '../latency';
import type { Log } from '../log';
import type { Dialer, IngestResult } from '../sources/types';
import { catchUp, journalGap } from './catch-up';
import type { Client, Clients } from './clients';
import { OFFICE_AUTHOR, type SyncHub } from './sync';

const TEST_CALL_NUMBER = '+972 3-555-0100';
const TEST_CALL_RING_MS = 15_000;

export interface SessionDeps {
  journal: Journal;
  clients: Clients;
  latency: PopLatency;
  dialer(): Dialer | undefined;
  ingest(event: CallEventInput): IngestResult;
  /** Timers the bridge clears when it closes. */
  timers: Set<NodeJS.Timeout>;
  log: Log;
  /** Office mode: the hub's store on this link. */
  sync: SyncHub;
}

export function handleFrame(deps: SessionDeps, client: Client, frame: ClientFrame): void {
  const { clients, journal, log } = deps;
  switch (frame.type) {
    case 'hello': {
      if (frame.protocol !== PROTOCOL_VERSION) {
        clients.send(client, {
          type: 'error',
          reason: `protocol ${frame.protocol} is not supported; bridge speaks ${PROTOCOL_VERSION}`,
        });
        client.socket.close(1002, 'protocol version');
        return;
      }
      client.greeted = true;
      client.extensions = frame.extensions ?? [];
      clients.send(client, {
        type: 'welcome',
        protocol: PROTOCOL_VERSION,
        bridgeVersion: BRIDGE_VERSION,
        journalId: journal.id,
        seq: journal.seq,
      });
      void deps.sync.sendPeople(client);
      // A colleague's desk came: the others see them here.
      if (client.user) deps.sync.peopleChanged();
      // A different journal (the bridge's data was reset): everything it holds is news to this client.
      const from = frame.lastSeq === null ? journal.seq : frame.journalId === journal.id ? frame.lastSeq : 0;
      const gap = frame.lastSeq === null ? undefined : journalGap(journal, frame.lastSeq, frame.journalId);
      if (gap) {
        log(
          'warn',
          `client ${client.id} missed journal entries ${gap.afterSeq + 1}–${gap.resumeSeq - 1} (${gap.reason})`,
          {
            event: 'journal-gap',
            client: client.id,
            reason: gap.reason,
            afterSeq: gap.afterSeq,
            resumeSeq: gap.resumeSeq,
          },
        );
        clients.send(client, gap);
      }
      void catchUp(clients, journal, client, from);
      return;
    }
    case 'ack': {
      const sample = deps.latency.acked(frame.callId, performance.now());
      if (sample !== undefined)
        log('info', `pop on screen for ${frame.callId} after ${sample.toFixed(1)} ms`, {
          event: 'pop-shown',
          callId: frame.callId,
          ms: Math.round(sample * 10) / 10,
        });
      return;
    }
    case 'keepalive':
      return;
    case 'sync-push':
      void deps.sync.push(client, frame, client.user?.name ?? OFFICE_AUTHOR);
      return;
    case 'sync-pull':
      void deps.sync.pull(client, frame);
      return;
    case 'sync-history':
      void deps.sync.history(client, frame);
      return;
    case 'sync-deleted':
      void deps.sync.deleted(client, frame);
      return;
    case 'dial':
      void dial(deps, client, frame.requestId, frame.number, frame.fromExtension);
      return;
    case 'test-call': {
      const callId = `test-${Date.now()}-${client.id}`;
      deps.ingest({ callId, state: 'ringing', from: TEST_CALL_NUMBER, fromName: 'Kesher test call' });
      const timer = setTimeout(() => {
        deps.timers.delete(timer);
        deps.ingest({ callId, state: 'ended', from: TEST_CALL_NUMBER });
      }, TEST_CALL_RING_MS);
      deps.timers.add(timer);
      return;
    }
  }
}

async function dial(
  deps: SessionDeps,
  client: Client,
  requestId: string,
  number: string,
  extension: string,
): Promise<void> {
  const dialer = deps.dialer();
  const reply = (outcome: { ok: boolean; message: string; callId?: string }) =>
    deps.clients.send(client, { type: 'dial-result', requestId, ...outcome });
  if (!dialer) {
    reply({
      ok: false,
      message: 'Click-to-call needs the Asterisk (AMI) source: start the bridge with --ami',
    });
    return;
  }
  reply({ ok: true, message: 'Ringing your phone…' });
  try {
    reply(await dialer(number, extension));
  } catch (error) {
    reply({ ok: false, message: (error as Error).message });
  }
}
