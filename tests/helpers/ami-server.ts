/**
 * A scripted AMI server on 127.0.0.1:0 that replays a recorded session (tests/fixtures/ami/*.annotated.txt)
 * byte for byte: the banner on connect, then after each action the client sends, the server bytes the real
 * Asterisk sent after it, with the recorded ActionIDs rewritten to the client's. Bytes go out in random
 * chunk sizes so the parser meets every kind of split. Ping is always answered, as Asterisk does.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type AmiMessage, AmiParser, field } from '../../bridge/sources/ami/parse';
import { REPO_ROOT } from './bridge-process';

interface Step {
  action: string;
  actionId: string;
  /** The server's bytes after this action, verbatim. */
  reply: string;
}

export function loadScript(name: string): { banner: string; steps: Step[] } {
  const text = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ami', `${name}.annotated.txt`), 'utf8');
  const parts = text.split(/^### /m).slice(1);
  const steps: Step[] = [];
  // The banner is either in the capture's header (sent on connect, before the client spoke) or at the
  // start of the first server bytes.
  let banner = /^(Asterisk Call Manager[^\r]*\r\n)/m.exec(parts[0] ?? '')?.[1] ?? '';
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index]!;
    if (!part.includes('>>> CLIENT SENT:')) continue;
    const sent = part.slice(part.indexOf('\r\n') + 2);
    const action = /^Action: (.*)\r$/m.exec(sent)?.[1] ?? '';
    const actionId = /^ActionID: (.*)\r$/m.exec(sent)?.[1] ?? '';
    const next = parts[index + 1] ?? '';
    let reply = next.startsWith('<<< server bytes') ? next.slice(next.indexOf('\r\n') + 2) : '';
    if (steps.length === 0 && !banner && reply.startsWith('Asterisk Call Manager')) {
      const end = reply.indexOf('\r\n') + 2;
      banner = reply.slice(0, end);
      reply = reply.slice(end);
    }
    steps.push({ action, actionId, reply });
  }
  return { banner, steps };
}

export interface ScriptedAmiOptions {
  /** An annotated recording to replay action by action. */
  script?: string;
  /**
   * A raw recording (tests/fixtures/ami/<name>.raw: the server's exact bytes) sent whole after Login, its
   * login response given the client's ActionID. Actions the client sends later are answered by `answers`.
   */
  raw?: string;
  /** Replies to actions, by Action name, in the recorded form; gets the client's ActionID. */
  answers?: Record<string, (actionId: string, action: AmiMessage) => string>;
  /** With `raw`: close the connection once the recording is sent (a PBX that died: no Hangup, no Goodbye). */
  closeAfterRaw?: boolean;
  secret?: string;
  /** Largest chunk written at once (random sizes from 1 up to this). */
  maxChunk?: number;
  /** Cut the first connection after this many bytes of the replies (a dropped connection mid-event). */
  dropAfterBytes?: number;
  /** Bytes to send right after login instead of the recording (garbage, truncated frames…). */
  inject?: string | Buffer;
}

export class ScriptedAmiServer {
  readonly server: Server;
  readonly received: Array<Record<string, string | string[]>> = [];
  connections = 0;
  port = 0;

  constructor(private readonly options: ScriptedAmiOptions) {
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  private readonly sockets = new Set<Socket>();

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.connections++;
    const first = this.connections === 1;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const raw = this.options.raw
      ? readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ami', `${this.options.raw}.raw`), 'latin1')
      : undefined;
    const { banner, steps } = raw
      ? { banner: raw.slice(0, raw.indexOf('\r\n') + 2), steps: [] as Step[] }
      : loadScript(this.options.script ?? '');
    let step = 0;
    let sentBytes = 0;
    let queue = Promise.resolve();
    const write = (data: string | Buffer) => {
      queue = queue.then(() =>
        this.trickle(socket, Buffer.from(data), (count) => {
          sentBytes += count;
          return (
            first && this.options.dropAfterBytes !== undefined && sentBytes >= this.options.dropAfterBytes
          );
        }),
      );
    };
    socket.on('error', () => {});
    socket.write(banner);
    const parser = new AmiParser({
      banner: () => {},
      error: () => {},
      message: (message) => {
        this.received.push(message);
        const action = field(message, 'Action') ?? '';
        const actionId = field(message, 'ActionID') ?? '';
        if (
          action === 'Login' &&
          this.options.secret !== undefined &&
          field(message, 'Secret') !== this.options.secret
        ) {
          socket.end(`Response: Error\r\nActionID: ${actionId}\r\nMessage: Authentication failed\r\n\r\n`);
          return;
        }
        if (raw && action === 'Login' && !first && this.options.closeAfterRaw) {
          // The PBX after its restart: a fresh login, and nothing about the calls it lost.
          write(`Response: Success\r\nActionID: ${actionId}\r\nMessage: Authentication accepted\r\n\r\n`);
          return;
        }
        if (raw && action === 'Login') {
          const body = raw.slice(banner.length).replace(/^ActionID: .*\r\n/m, `ActionID: ${actionId}\r\n`);
          write(Buffer.from(body, 'latin1'));
          if (this.options.closeAfterRaw) queue = queue.then(() => void socket.end());
          return;
        }
        const answer = this.options.answers?.[action];
        if (answer) {
          write(answer(actionId, message));
          return;
        }
        // Our client pings on its own schedule, not the recording's: skip a recorded Ping it did not send.
        while (steps[step]?.action === 'Ping' && action !== 'Ping') step++;
        const expected = steps[step];
        if (expected && expected.action === action) {
          step++;
          const reply = expected.actionId
            ? expected.reply.replaceAll(`ActionID: ${expected.actionId}\r\n`, `ActionID: ${actionId}\r\n`)
            : expected.reply;
          if (action === 'Login' && this.options.inject !== undefined) {
            const loginResponse = reply.slice(0, reply.indexOf('\r\n\r\n') + 4);
            write(loginResponse);
            write(this.options.inject);
            return;
          }
          write(reply);
          return;
        }
        if (action === 'Ping') {
          write(
            `Response: Success\r\nActionID: ${actionId}\r\nPing: Pong\r\nTimestamp: 1795436034.793709\r\n\r\n`,
          );
        }
      },
    });
    socket.on('data', (chunk) => parser.feed(chunk));
  }

  /** Write in random chunk sizes, yielding between chunks so the client reads them separately. */
  private async trickle(socket: Socket, data: Buffer, drop: (count: number) => boolean): Promise<void> {
    const max = this.options.maxChunk ?? 64;
    for (let offset = 0; offset < data.length; ) {
      if (socket.destroyed) return;
      const size = Math.min(data.length - offset, 1 + Math.floor(Math.random() * max));
      socket.write(data.subarray(offset, offset + size));
      offset += size;
      if (drop(size)) {
        socket.destroy();
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
