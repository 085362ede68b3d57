import { describe, expect, it } from 'vitest';
import { AwayCalls } from '../../../extension/features/bridge-link/away-calls';
import { backoffDelay, bridgeApiUrl } from '../../../extension/features/bridge-link/link';
import { pairingCodeOf } from '../../../shared/pairing-code';
import type { CallSnapshot } from '../../../shared/protocol';

const call = (
  callId: string,
  status: CallSnapshot['status'],
  direction: CallSnapshot['direction'] = 'inbound',
) => ({ callId, status, direction, from: '0541234567', startedAt: 1 }) as CallSnapshot;

describe('reconnecting', () => {
  it('tries a bridge that is not answering again within 2 s, however long it has been away', () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      expect(backoffDelay(attempt, 1)).toBeLessThanOrEqual(2_000);
      expect(backoffDelay(attempt, 0)).toBeGreaterThan(0);
    }
  });

  it('a refusal that needs a person (wrong token) is retried far less often', () => {
    expect(backoffDelay(20, 0.5, 15_000)).toBe(15_000);
  });
});

describe('pairing codes', () => {
  it('are recognised however they are typed; a token is not a code', () => {
    for (const typed of ['K7Q4-MZ2P', 'k7q4mz2p', ' k7q4 mz2p '])
      expect(pairingCodeOf(typed), typed).toBe('K7Q4-MZ2P');
    for (const other of ['office-token-0123456789abcdef', 'kesher_abc', 'K7Q4-MZ2', 'K0Q4-MZ2P'])
      expect(pairingCodeOf(other), other).toBeNull();
    expect(bridgeApiUrl('wss://bridge.office.lan:17480/ws', '/api/v1/pair')).toBe(
      'https://bridge.office.lan:17480/api/v1/pair',
    );
  });
});

describe('calls that rang while the link was down', () => {
  function away() {
    const said: string[] = [];
    const badges: string[] = [];
    const opened: string[] = [];
    const calls = new AwayCalls({
      notify: async (title, message) => void said.push(`${title} — ${message}`),
      badge: async (text) => void badges.push(text),
      show: async () => void opened.push('today'),
      log: () => {},
    });
    return { calls, said, badges, opened };
  }

  it('are told once the catch-up is done, with how many were not answered', async () => {
    const { calls, said, badges } = away();
    calls.onCall(call('a', 'missed'), true);
    calls.onCall(call('b', 'ringing'), true);
    calls.onCall(call('b', 'ended'), true);
    calls.onCall(call('out', 'missed', 'outbound'), true);
    calls.onCall(call('live', 'ringing'), false);
    await calls.caughtUp();
    expect(said).toEqual(['2 calls rang while Kesher was not connected — One was not answered: see Today.']);
    expect(badges).toEqual(['2']);
    expect(calls.badgeText).toBe('2');
    // Nothing more to say at the next catch-up.
    await calls.caughtUp();
    expect(said).toHaveLength(1);
  });

  it('a second catch-up of the same absence (two links at a worker start) counts nothing twice', async () => {
    const { calls, said, badges } = away();
    calls.onCall(call('a', 'missed'), true);
    await calls.caughtUp();
    calls.onCall(call('a', 'missed'), true);
    await calls.caughtUp();
    expect(badges).toEqual(['1']);
    expect(said).toHaveLength(1);
    calls.onCall(call('c', 'missed'), true);
    await calls.caughtUp();
    expect(badges.at(-1)).toBe('2');
  });

  it('the badge clears when the user looks; a click opens Today', async () => {
    const { calls, badges, opened } = away();
    calls.onCall(call('a', 'missed'), true);
    await calls.caughtUp();
    await calls.seen(true);
    expect(badges.at(-1)).toBe('');
    expect(calls.badgeText).toBe('');
    expect(opened).toEqual(['today']);
  });

  it('say nothing when nothing rang', async () => {
    const { calls, said, badges } = away();
    await calls.caughtUp();
    expect(said).toEqual([]);
    expect(badges).toEqual([]);
  });
});
