/**
 * The bridge process, started from a config file with an `ami` section as `npm start` does, against real
 * Asterisk 20 recordings (tests/fixtures/ami/*.raw) replayed by a scripted AMI server: withheld callers,
 * FreePBX ring groups through Local channels, and a PBX killed mid-call. The server answers the bridge's
 * own actions (Getvar, CoreShowChannels) with the answers the same Asterisk gave, recorded beside them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol';
import { ScriptedAmiServer, type ScriptedAmiOptions } from '../helpers/ami-server';
import { type BridgeProcess, newBridgeDir, startBridge } from '../helpers/bridge-process';
import { TestClient } from '../helpers/ws-client';

type CallFrame = Extract<ServerFrame, { type: 'call' }>;
const token = 'ami-recordings-token-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// Answers as recorded from Asterisk 20.20.1 (see the .annotated.txt files beside the recordings).
const getvar = (value: string) => (actionId: string, action: Record<string, string | string[]>) =>
  `Response: Success\r\nActionID: ${actionId}\r\nVariable: ${action.Variable}\r\nValue: ${value}\r\n\r\n`;
const denied = (actionId: string) =>
  `Response: Error\r\nActionID: ${actionId}\r\nMessage: Permission denied\r\n\r\n`;
const noChannels = (actionId: string) =>
  `Response: Success\r\nActionID: ${actionId}\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n` +
  `Event: CoreShowChannelsComplete\r\nActionID: ${actionId}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n`;

async function run(options: ScriptedAmiOptions) {
  const ami = new ScriptedAmiServer(options);
  const port = await ami.listen();
  const bridge: BridgeProcess = await startBridge({
    dir: newBridgeDir(token, { ami: { url: `ami://bridge:secret@127.0.0.1:${port}` } }),
  });
  const client = await TestClient.connect(bridge.wsUrl, token);
  // From the journal's start: the recording may be replayed before this hello (then it comes as catch-up).
  await client.hello(0);
  cleanups.push(async () => {
    await client.close();
    await bridge.stop();
    await ami.close();
  });
  return { ami, bridge, client };
}

const finished = (frame: ServerFrame): frame is CallFrame =>
  frame.type === 'call' && (frame.call.status === 'ended' || frame.call.status === 'missed');

describe('withheld callers', () => {
  it.each([
    [
      'a carrier withholding (From anonymous, the number in PAI, Privacy: id)',
      'privacy-pai-withheld',
      'prohib_not_screened',
      '+972541112222',
      'Secret Caller',
    ],
    [
      'a dialplan setting CALLERID(pres)=prohib',
      'presentation-prohibited',
      'prohib',
      '+972541113333',
      undefined,
    ],
  ])('%s: "Withheld" everywhere, the number never kept', async (_name, raw, value, number, name) => {
    const { ami, bridge, client } = await run({ raw, answers: { Getvar: getvar(value) } });
    const ended = await client.next(finished);
    const frames = client.frames.filter((frame): frame is CallFrame => frame.type === 'call');
    for (const frame of frames) {
      expect(frame.call.from).toBe('anonymous');
      expect(frame.call.fromName).toBeUndefined();
    }
    expect(ended.call).toMatchObject({ status: 'ended', answeredBy: '101' });
    // The bridge asked the PBX about the inbound channel's presentation.
    expect(
      ami.received.some((action) => action.Action === 'Getvar' && action.Variable === 'CALLERID(pres)'),
    ).toBe(true);
    const journal = readFileSync(join(bridge.dataDir, 'journal.jsonl'), 'utf8');
    expect(journal).not.toContain(number);
    expect(journal).not.toContain(number.slice(4));
    if (name) {
      expect(journal).not.toContain(name);
      expect(bridge.stderr()).not.toContain(name);
    }
    expect(bridge.stderr()).not.toContain(number);
  });

  it('an AMI user that may not read the presentation is named in /health with the fix', async () => {
    const { bridge, client } = await run({ raw: 'privacy-pai-withheld', answers: { Getvar: denied } });
    await client.next(finished);
    const response = await fetch(`${bridge.httpUrl}/health`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const health = (await response.json()) as { sources: Array<{ name: string; detail?: string }> };
    expect(health.sources.find((source) => source.name === 'ami')?.detail).toMatch(
      /cannot read caller-id presentation .*add "reporting" to write = in manager\.conf \[bridge\]/,
    );
  });
});

describe('FreePBX ring groups through Local channels', () => {
  it('the caller is the customer and the ringing extensions are 100 and 101, whatever leg dials first', async () => {
    const { client } = await run({
      raw: 'local-channel-n',
      answers: { Getvar: getvar('allowed_not_screened') },
    });
    const ended = await client.next(finished);
    const frames = client.frames.filter((frame): frame is CallFrame => frame.type === 'call');
    for (const frame of frames) expect(frame.call.from).toBe('+972541230007');
    expect(ended.call).toMatchObject({
      status: 'ended',
      to: '0312340007',
      extensions: ['100', '101'],
      answeredBy: '101',
    });
  });
});

describe('the PBX dies mid-call', () => {
  it.each([
    ['CoreShowChannels is refused (README user before "reporting")', denied],
    ['CoreShowChannels lists nothing', noChannels],
  ])('after the reconnect, a call that was answered is ended (approximate): %s', async (_name, channels) => {
    const { client } = await run({
      raw: 'pbx-crash-mid-call',
      closeAfterRaw: true,
      answers: { Getvar: getvar('allowed_not_screened'), CoreShowChannels: channels },
    });
    const answered = await client.next(
      (frame): frame is CallFrame => frame.type === 'call' && frame.call.status === 'answered',
    );
    const ended = await client.next(
      (frame): frame is CallFrame => frame.type === 'call' && frame.call.status === 'ended',
    );
    expect(ended.call.callId).toBe(answered.call.callId);
    expect(ended.call.endApproximate).toBe(true);
  });
});
