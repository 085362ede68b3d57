/**
 * The SIP ring-group member against real calls placed by sipp (Debian sip-tester) on loopback, plus
 * hand-made datagrams for retransmissions and malformed input.
 */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { CallBook } from '../../bridge/calls';
import { SipSource } from '../../bridge/sources/sip/source';
import type { CallEventInput } from '../../shared/protocol';
import { runSipp } from '../helpers/sipp';

const sources: SipSource[] = [];
afterEach(() => {
  for (const source of sources.splice(0)) source.stop();
});

async function listen(config: Partial<ConstructorParameters<typeof SipSource>[0]> = {}) {
  const events: CallEventInput[] = [];
  const warnings: string[] = [];
  const statuses: string[] = [];
  const book = new CallBook();
  const source = new SipSource(
    { listen: '127.0.0.1:0', ...config },
    {
      ingest: (event) => {
        events.push(event);
        book.apply(event, Date.now());
      },
      status: (status) => statuses.push(`${status.state}: ${status.detail}`),
      warn: (message) => warnings.push(message),
    },
  );
  sources.push(source);
  const { port } = await source.start();
  return { source, port, events, warnings, statuses, book };
}

/** Send one datagram and collect what comes back until `count` answers arrived. */
async function exchange(port: number, datagrams: string[], count: number): Promise<string[]> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const answers: string[] = [];
  const done = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      answers.push(data.toString());
      if (answers.length >= count) resolve();
    });
  });
  for (const datagram of datagrams) socket.send(datagram, port, '127.0.0.1');
  if (count > 0) await done;
  socket.close();
  return answers;
}

const INVITE = [
  'INVITE sip:4930555000@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-15112-1-0',
  'From: "Alice From-Header" <sip:+493012345678@carrier.example;user=phone>;tag=15112SIPpTag001',
  'To: <sip:4930555000@127.0.0.1:5060>',
  'Call-ID: 1-15112@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:+493012345678@127.0.0.1:5080>',
  'P-Asserted-Identity: "Alice Customer PAI" <sip:+493012345678@carrier.example;user=phone>',
  'Diversion: <sip:+4930555999@carrier.example;user=phone>;reason=unconditional;counter=1',
  'Max-Forwards: 70',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('SIP ring-group member', () => {
  it('sipp rings and cancels: 180 Ringing, a ringing call from the P-Asserted-Identity, then missed', async () => {
    const { port, events, book } = await listen();
    const run = await runSipp([
      `127.0.0.1:${port}`,
      '-sf',
      'ring-cancel.xml',
      '-inf',
      'callers.csv',
      '-s',
      '4930555000',
      '-m',
      '1',
    ]);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    expect(events[0]).toMatchObject({
      state: 'ringing',
      from: '+972541234567',
      fromName: 'Dana Levi',
      to: '4930555000',
      extension: '4930555000',
      forwardedFrom: '+97235550100',
    });
    const call = book.get(events[0]!.callId)!;
    expect(call.status).toBe('missed');
  });

  it('several calls at once are each their own call', async () => {
    const { port, events, book } = await listen({ extension: '201' });
    const run = await runSipp([
      `127.0.0.1:${port}`,
      '-sf',
      'ring-cancel.xml',
      '-inf',
      'callers.csv',
      '-s',
      '4930555000',
      '-m',
      '5',
      '-r',
      '50',
      '-l',
      '5',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const ringing = events.filter((event) => event.state === 'ringing');
    expect(new Set(ringing.map((event) => event.callId)).size).toBe(5);
    expect(ringing.map((event) => event.from).sort()).toEqual(
      ['+302101234567', '+4930123456789', '+972523334444', '+972541234567', '0541112233'].sort(),
    );
    expect(ringing.find((event) => event.from === '+302101234567')?.fromName).toBe('Ελένη Παππά');
    expect(ringing.every((event) => event.extension === '201')).toBe(true);
    for (const event of ringing) expect(book.get(event.callId)?.status).toBe('missed');
  });

  it('a retransmitted INVITE is answered again but counted once', async () => {
    const { port, events } = await listen();
    const answers = await exchange(port, [INVITE, INVITE], 2);
    expect(answers.every((answer) => answer.startsWith('SIP/2.0 180 Ringing'))).toBe(true);
    // The same To tag both times: one dialog.
    const tags = answers.map((answer) => /^To: .*;tag=(\w+)/m.exec(answer)?.[1]);
    expect(tags[0]).toBeDefined();
    expect(tags[1]).toBe(tags[0]);
    expect(events.filter((event) => event.state === 'ringing')).toHaveLength(1);
  });

  it('"Call completed elsewhere" means another member answered, not a missed call', async () => {
    const { port, book, events } = await listen();
    await exchange(port, [INVITE], 1);
    const cancel = INVITE.replace('INVITE sip:', 'CANCEL sip:')
      .replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL')
      .replace('Max-Forwards: 70', 'Reason: SIP;cause=200;text="Call completed elsewhere"');
    const answers = await exchange(port, [cancel], 2);
    expect(answers.map((answer) => answer.split('\r\n')[0])).toEqual([
      'SIP/2.0 200 OK',
      'SIP/2.0 487 Request Terminated',
    ]);
    expect(book.get(events[0]!.callId)?.status).toBe('ended');
  });

  it('malformed datagrams are ignored with a warning and the member keeps working', async () => {
    const { port, events, warnings } = await listen();
    const answers = await exchange(
      port,
      [
        'garbage',
        '\x00\x01\x02\x03',
        'INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n',
        'INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n',
        `INVITE sip:x SIP/2.0\r\n${'X-Long: y\r\n'.repeat(8000)}\r\n`,
        // Then a good INVITE from the same socket: its answer proves the bad ones were read first.
        INVITE,
      ],
      1,
    );
    expect(answers[0]).toMatch(/^SIP\/2\.0 180 Ringing/);
    expect(events.filter((event) => event.state === 'ringing')).toHaveLength(1);
    expect(warnings[0]).toMatch(/malformed datagram/);
  });

  it('only the PBX may ring when allowFrom is set', async () => {
    const { port, events } = await listen({ allowFrom: ['10.9.9.9'] });
    const answers = await exchange(port, [INVITE], 1);
    expect(answers[0]).toMatch(/^SIP\/2\.0 403 Forbidden/);
    expect(events).toEqual([]);
  });

  it('answers OPTIONS (the PBX checking the member is alive)', async () => {
    const { port } = await listen();
    const options = INVITE.replace('INVITE sip:', 'OPTIONS sip:').replace(
      'CSeq: 1 INVITE',
      'CSeq: 2 OPTIONS',
    );
    const answers = await exchange(port, [options], 1);
    expect(answers[0]).toMatch(/^SIP\/2\.0 200 OK/);
  });
});

describe('SIP registration', () => {
  /** A registrar that challenges with digest and accepts only the right password. */
  async function registrar(password: string) {
    const { createHash } = await import('node:crypto');
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    let registered = 0;
    socket.on('message', (data, remote) => {
      const text = data.toString();
      const pick = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(text)?.[1]?.trim() ?? '';
      const base = [
        `Via: ${pick('Via')}`,
        `From: ${pick('From')}`,
        `To: ${pick('To')};tag=reg`,
        `Call-ID: ${pick('Call-ID')}`,
        `CSeq: ${pick('CSeq')}`,
      ];
      const auth = pick('Authorization');
      const reply = (lines: string[]) =>
        socket.send(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, remote.port, remote.address);
      const challenge = () =>
        reply([
          'SIP/2.0 401 Unauthorized',
          ...base,
          'WWW-Authenticate: Digest realm="pbx", nonce="n0nce", qop="auth", algorithm=MD5',
        ]);
      if (!auth) return challenge();
      const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(auth)?.[1] ?? '';
      const ha1 = md5(`${field('username')}:pbx:${password}`);
      const ha2 = md5(`REGISTER:${field('uri')}`);
      const expected = md5(`${ha1}:n0nce:${field('nc')}:${field('cnonce')}:auth:${ha2}`);
      if (field('response') !== expected) return challenge();
      registered++;
      reply(['SIP/2.0 200 OK', ...base, 'Contact: <sip:kesher@127.0.0.1>;expires=120']);
    });
    return { port: socket.address().port, registered: () => registered, close: () => socket.close() };
  }

  it('registers with digest authentication and says so', async () => {
    const pbx = await registrar('s3cret');
    try {
      const { statuses } = await listen({
        register: { registrar: `127.0.0.1:${pbx.port}`, username: '299', password: 's3cret' },
      });
      await expect.poll(() => statuses.at(-1)).toMatch(/^ready: SIP: registered as 299/);
      expect(pbx.registered()).toBe(1);
    } finally {
      pbx.close();
    }
  });

  it('a wrong password is named in plain words', async () => {
    const pbx = await registrar('s3cret');
    try {
      const { statuses } = await listen({
        register: { registrar: `127.0.0.1:${pbx.port}`, username: '299', password: 'nope' },
      });
      await expect
        .poll(() => statuses.at(-1))
        .toMatch(/^register-refused: SIP registration refused: check the username and password/);
      expect(statuses.join('\n')).not.toContain('nope');
    } finally {
      pbx.close();
    }
  });
});
