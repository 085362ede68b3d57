/**
 * A desk coming back: what it missed, each call once as it stands now, sent in batches that wait for the
 * socket to drain; and, when the journal no longer holds everything since its cursor, the gap it must know of.
 */
import { WebSocket } from 'ws';
import type { ServerFrame } from '../../shared/protocol';
import type { Journal, JournalEntry } from '../journal';
import type { Client, Clients } from './clients';

export function callFrame(journal: Journal, entry: JournalEntry, replay: boolean): ServerFrame {
  return { type: 'call', seq: entry.seq, journalId: journal.id, call: entry.call, replay };
}

/**
 * Live calls that arrive meanwhile are picked up by the next round; the client joins the live stream in the
 * same tick as the last check (a long absence must not trip the slow-reader limit).
 */
export async function catchUp(
  clients: Clients,
  journal: Journal,
  client: Client,
  from: number,
): Promise<void> {
  const pause = clients.bufferLimit / 4;
  let flushed = Promise.resolve();
  let position = from;
  while (journal.seq > position) {
    const entries = latestPerCall(journal.since(position));
    position = journal.seq;
    for (const entry of entries) {
      if (client.socket.readyState !== WebSocket.OPEN) return;
      if (client.socket.bufferedAmount > pause) await flushed;
      flushed = new Promise((resolve) => clients.send(client, callFrame(journal, entry, true), resolve));
    }
  }
  clients.send(client, { type: 'caught-up', seq: journal.seq });
  client.ready = true;
}

/** Catch-up sends each call once, as it stands now, in the order of its latest change. */
export function latestPerCall(entries: readonly JournalEntry[]): JournalEntry[] {
  const latest = new Map<string, JournalEntry>();
  for (const entry of entries) {
    latest.delete(entry.call.callId);
    latest.set(entry.call.callId, entry);
  }
  return [...latest.values()];
}

/**
 * What a client coming back at `lastSeq` of `journalId` can no longer get: entries the journal dropped (kept
 * too few for so long an absence) or a whole journal started anew. Undefined when the catch-up is complete.
 */
export function journalGap(
  journal: Pick<Journal, 'oldest' | 'seq' | 'id'>,
  lastSeq: number,
  journalId: string | null,
): Extract<ServerFrame, { type: 'gap' }> | undefined {
  const oldest = journal.oldest;
  const resumeSeq = oldest?.seq ?? journal.seq + 1;
  const until = oldest?.at ?? Date.now();
  if (journalId !== journal.id) {
    return { type: 'gap', journalId: journal.id, reason: 'new-journal', afterSeq: lastSeq, resumeSeq, until };
  }
  if (lastSeq + 1 >= resumeSeq || lastSeq >= journal.seq) return undefined;
  return { type: 'gap', journalId: journal.id, reason: 'expired', afterSeq: lastSeq, resumeSeq, until };
}
