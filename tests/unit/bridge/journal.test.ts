import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../bridge/journal';
import { latestPerCall } from '../../../bridge/link/catch-up';
import type { CallSnapshot } from '../../../shared/protocol';

const call = (callId: string, status: CallSnapshot['status'] = 'ringing'): CallSnapshot => ({
  callId,
  status,
  direction: 'inbound',
  from: '0541234567',
  startedAt: 1000,
  ...(status === 'missed' ? { endedAt: 2000 } : {}),
});

const fresh = () => join(mkdtempSync(join(tmpdir(), 'kesher-journal-')), 'journal.jsonl');

describe('journal', () => {
  it('numbers entries and replays them after a restart', () => {
    const path = fresh();
    const journal = Journal.open(path);
    journal.append(call('a'));
    journal.append(call('b'));
    journal.append(call('a', 'missed'));
    const reopened = Journal.open(path);
    expect(reopened.id).toBe(journal.id);
    expect(reopened.seq).toBe(3);
    expect(reopened.since(1).map((entry) => [entry.seq, entry.call.callId, entry.call.status])).toEqual([
      [2, 'b', 'ringing'],
      [3, 'a', 'missed'],
    ]);
    expect(reopened.append(call('c')).seq).toBe(4);
  });

  it('skips a torn last line and says so', () => {
    const path = fresh();
    Journal.open(path).append(call('a'));
    appendFileSync(path, '{"seq":2,"at":1,"call":{"callId"');
    const warnings: string[] = [];
    const journal = Journal.open(path, { onWarning: (message) => warnings.push(message) });
    // The torn line may have been sequence 2: it is never handed out again.
    expect(journal.seq).toBe(2);
    expect(warnings[0]).toMatch(/skipped 1 unreadable line/);
    expect(journal.append(call('b')).seq).toBe(3);
    // The fragment was cut off: the new entry has a line of its own and survives the next start.
    const again = Journal.open(path);
    expect(again.all().map((entry) => entry.call.callId)).toEqual(['a', 'b']);
  });

  it('refuses a file that is not a journal instead of overwriting it', () => {
    const path = fresh();
    writeFileSync(path, 'hello\n');
    expect(() => Journal.open(path)).toThrow(/not a Kesher journal/);
    expect(readFileSync(path, 'utf8')).toBe('hello\n');
  });

  it('compacts to the retained window and keeps numbering', () => {
    const path = fresh();
    const journal = Journal.open(path, { retain: 3 });
    for (let index = 0; index < 8; index++) journal.append(call(`c${index}`));
    const reopened = Journal.open(path, { retain: 3 });
    expect(reopened.seq).toBe(8);
    expect(reopened.size).toBeLessThanOrEqual(6);
    expect(reopened.since(0).at(-1)?.call.callId).toBe('c7');
  });

  it('catch-up sends each call once, as it stands now', () => {
    const path = fresh();
    const journal = Journal.open(path);
    journal.append(call('a'));
    journal.append(call('b'));
    journal.append(call('a', 'missed'));
    expect(latestPerCall(journal.since(0)).map((entry) => [entry.call.callId, entry.call.status])).toEqual([
      ['b', 'ringing'],
      ['a', 'missed'],
    ]);
  });
});
