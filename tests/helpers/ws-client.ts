/** A protocol client for tests: connects like the extension does and waits for frames (no sleeps). */
import WebSocket from 'ws';
import { EXTENSION_ORIGIN } from '../../shared/extension-id';
import {
  type ClientFrame,
  parseServerFrame,
  SUBPROTOCOL,
  type ServerFrame,
  TOKEN_SUBPROTOCOL_PREFIX,
} from '../../shared/protocol';

export class TestClient {
  readonly frames: ServerFrame[] = [];
  /** Every frame's text as it came over the socket (to check what a desk was never sent). */
  readonly raw: string[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.raw.push(data.toString());
      const parsed = parseServerFrame(data.toString());
      if (!parsed.ok) throw new Error(`bridge sent an invalid frame: ${parsed.reason}`);
      this.frames.push(parsed.value);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static connect(url: string, token: string, origin = EXTENSION_ORIGIN): Promise<TestClient> {
    const socket = new WebSocket(url, [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`], { origin });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame (after `from`) that satisfies the predicate. */
  async next<T extends ServerFrame>(predicate: (frame: ServerFrame) => frame is T, from = 0): Promise<T> {
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async hello(lastSeq: number | null = null, journalId: string | null = null) {
    const start = this.frames.length;
    this.send({ type: 'hello', protocol: 1, lastSeq, journalId });
    const welcome = await this.next(isType('welcome'), start);
    const caughtUp = await this.next(isType('caught-up'), start);
    const frames = this.frames.slice(start);
    return { welcome, caughtUp, replayed: frames.filter(isType('call')), gaps: frames.filter(isType('gap')) };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export function isType<K extends ServerFrame['type']>(type: K) {
  return (frame: ServerFrame): frame is Extract<ServerFrame, { type: K }> => frame.type === type;
}
