import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallBook } from '../../../../bridge/calls';
import { AmiCallTracker, dialledNumber } from '../../../../bridge/sources/ami/call-tracker';
import { type AmiMessage, AmiParser, field } from '../../../../bridge/sources/ami/parse';
import type { CallEventInput } from '../../../../shared/protocol';

function messagesOf(name: string): AmiMessage[] {
  const messages: AmiMessage[] = [];
  const parser = new AmiParser({
    banner: () => {},
    message: (message) => messages.push(message),
    error: () => {},
  });
  parser.feed(readFileSync(join(import.meta.dirname, '../../../fixtures/ami', name)));
  return messages;
}

function run(messages: AmiMessage[], setup?: (tracker: AmiCallTracker) => void) {
  const events: CallEventInput[] = [];
  let clock = 1_000;
  const tracker = new AmiCallTracker((event) => events.push(event), { now: () => (clock += 1000) });
  setup?.(tracker);
  for (const message of messages) tracker.handle(message);
  const book = new CallBook();
  for (const event of events) book.apply(event, 0);
  return { events, book, tracker };
}

describe('AMI call tracker on real recordings', () => {
  it('answered call: ringing at extension 100, answered by 100, ended at the inbound hang-up', () => {
    const { events, book, tracker } = run(messagesOf('answered.raw'));
    expect(events.map((event) => event.state)).toEqual(['ringing', 'answered', 'ended']);
    expect(events[0]).toMatchObject({
      callId: 'ami-1795435921.8',
      direction: 'inbound',
      from: '+493012345678',
      fromName: 'Alice Customer PAI',
      to: '4930555000',
      extension: '100',
    });
    expect(book.get('ami-1795435921.8')).toMatchObject({
      status: 'ended',
      answeredBy: '100',
      extensions: ['100'],
    });
    expect(tracker.activeCount).toBe(0);
  });

  it('caller gives up: missed', () => {
    const { book } = run(messagesOf('missed-caller-cancel.raw'));
    expect(book.get('ami-1795435958.10')).toMatchObject({
      status: 'missed',
      from: '+4940987654',
      fromName: 'Bob Customer PAI',
    });
  });

  it('events in another order give the same call', () => {
    const messages = messagesOf('answered.raw');
    const inOrder = run(messages).book.get('ami-1795435921.8')!;
    // Move every DialEnd after the last Hangup and put the agent leg's Hangup first.
    const dialEnds = messages.filter((message) => field(message, 'Event') === 'DialEnd');
    const hangups = messages.filter((message) => field(message, 'Event') === 'Hangup');
    const rest = messages.filter((message) => !dialEnds.includes(message) && !hangups.includes(message));
    const shuffled = run([...rest, ...hangups.reverse(), ...dialEnds]).book.get('ami-1795435921.8')!;
    expect({ ...shuffled, answeredAt: 0, endedAt: 0 }).toEqual({ ...inOrder, answeredAt: 0, endedAt: 0 });
    expect(shuffled.status).toBe('ended');
  });

  it("click-to-call: the user's phone ringing is not a call; the customer answering is", () => {
    const { events, book } = run(messagesOf('originate.raw'), (tracker) => {
      // What the AMI client does when OriginateResponse names the channel.
      tracker.aliasOriginate('1795436035.14', 'dial-1', '493012345678', '100');
    });
    expect(events.map((event) => [event.callId, event.state])).toEqual([
      ['dial-1', 'answered'],
      ['dial-1', 'ended'],
    ]);
    expect(book.get('dial-1')).toMatchObject({ direction: 'outbound', to: '493012345678', status: 'ended' });
  });

  it('an extension-to-extension call pops nothing by default', () => {
    const internal: AmiMessage[] = [
      { Event: 'Newchannel', Uniqueid: '9.1', Linkedid: '9.1', CallerIDNum: '101', Exten: '102' },
      {
        Event: 'DialBegin',
        Channel: 'SIP/101-1',
        Uniqueid: '9.1',
        Linkedid: '9.1',
        CallerIDNum: '101',
        DestCallerIDNum: '102',
        DialString: '102',
      },
      { Event: 'Hangup', Uniqueid: '9.1', Linkedid: '9.1' },
    ];
    expect(run(internal).events).toEqual([]);
  });

  it('a ring group rings every member and records who answered', () => {
    const group: AmiMessage[] = [
      {
        Event: 'Newchannel',
        Uniqueid: '7.1',
        Linkedid: '7.1',
        CallerIDNum: '0541234567',
        Exten: '035550100',
      },
      ...['101', '102', '103'].map((ext) => ({
        Event: 'DialBegin',
        Channel: 'SIP/trunk-1',
        Uniqueid: '7.1',
        Linkedid: '7.1',
        CallerIDNum: '0541234567',
        DestCallerIDNum: ext,
        DialString: ext,
      })),
      {
        Event: 'DialEnd',
        Channel: 'SIP/trunk-1',
        Uniqueid: '7.1',
        Linkedid: '7.1',
        DestCallerIDNum: '102',
        DialStatus: 'ANSWER',
      },
      {
        Event: 'DialEnd',
        Channel: 'SIP/trunk-1',
        Uniqueid: '7.1',
        Linkedid: '7.1',
        DestCallerIDNum: '101',
        DialStatus: 'CANCEL',
      },
    ];
    expect(run(group).book.get('ami-7.1')).toMatchObject({
      status: 'answered',
      extensions: ['101', '102', '103'],
      answeredBy: '102',
    });
  });

  it.each([
    ['carrier-out/493012345678', '493012345678'],
    ['PJSIP/0541234567@trunk', '0541234567'],
    ['SIP/100&SIP/101', '100'],
    ['', undefined],
  ])('dial string %s → %s', (dialString, number) => {
    expect(dialledNumber(dialString)).toBe(number);
  });
});

/** The server's messages of an annotated capture ("### <time>" before each; client actions and notes left out). */
function capturedMessages(name: string): AmiMessage[] {
  const text = readFileSync(join(import.meta.dirname, '../../../fixtures/ami', name), 'utf8');
  const blocks = text.split(/^### .*$/m).slice(1);
  const heads = [...text.matchAll(/^### (.*)$/gm)].map((match) => match[1]!);
  const messages: AmiMessage[] = [];
  const parser = new AmiParser({
    banner: () => {},
    message: (message) => messages.push(message),
    error: () => {},
  });
  parser.feed('Asterisk Call Manager/9.0.0\r\n');
  blocks.forEach((block, index) => {
    const head = heads[index] ?? '';
    if (head.includes('>>>') || head.includes('---')) return;
    parser.feed(`${block.trim().split('\n').join('\r\n')}\r\n\r\n`);
  });
  return messages;
}

describe('Local-channel chains (FreePBX ring groups, follow-me, queues)', () => {
  it.each([
    ['Local/100@ext-local/n', '100'],
    ['100@ext-local/n', '100'],
    ['Local/101@from-internal/nj&Local/102@from-internal/nj', '101'],
    ['PJSIP/carrier/493012345678', '493012345678'],
    ['SIP/100', '100'],
  ])('dial string %s rings %s', (dialString, expected) => {
    expect(dialledNumber(dialString)).toBe(expected);
  });

  it('the agent-side DialBegin first or last: the same caller, extensions and answer', () => {
    const messages = capturedMessages('local-channel-ring-group.annotated.txt');
    const dialBegins = messages.filter((message) => field(message, 'Event') === 'DialBegin');
    expect(dialBegins.length).toBeGreaterThan(2);
    const rest = messages.filter((message) => !dialBegins.includes(message));
    const at = messages.indexOf(dialBegins[0]!);
    const orders = [
      messages,
      [...rest.slice(0, at), ...[...dialBegins].reverse(), ...rest.slice(at)],
      [...rest.slice(0, at), ...dialBegins.slice(1), dialBegins[0]!, ...rest.slice(at)],
    ];
    const calls = orders.map((ordered) => {
      const { events, book } = run(ordered);
      expect(new Set(events.map((event) => event.from))).toEqual(new Set(['+972541230003']));
      const call = book.get(events[0]!.callId)!;
      return { ...call, startedAt: 0, answeredAt: 0, endedAt: 0 };
    });
    expect(calls[0]).toMatchObject({
      from: '+972541230003',
      to: '0312340003',
      extensions: ['100', '101'],
      answeredBy: '101',
      status: 'ended',
    });
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[2]).toEqual(calls[0]);
  });
});
