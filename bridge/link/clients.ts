/**
 * The extensions connected over the WebSocket: each client's state, sending with backpressure (a client
 * that stops reading is dropped, never allowed to hold the others up), the broadcast of one serialised
 * frame to every ready client, and the heartbeat that finds dead links.
 */
import { WebSocket } from 'ws';
import type { ServerFrame } from '../../shared/protocol';
import type { Log } from '../log';

export interface Client {
  id: number;
  socket: WebSocket;
  alive: boolean;
  /** Caught up: live calls go to it. */
  ready: boolean;
  /** The phone extensions this user answers (empty: all calls). */
  extensions: string[];
  /** It said hello (catch-up may still be under way). */
  greeted: boolean;
  /** The user whose token opened the link (absent: the office's pairing token). */
  user?: { id: string; name: string };
}

export class Clients {
  private readonly all = new Set<Client>();
  private nextId = 1;
  connectionsTotal = 0;

  constructor(
    private readonly log: Log,
    /** A client whose unsent data passes this is dropped; it catches up from the journal on reconnect. */
    readonly bufferLimit = 1024 * 1024,
  ) {}

  add(socket: WebSocket, user?: Client['user']): Client {
    const client: Client = {
      id: this.nextId++,
      socket,
      alive: true,
      ready: false,
      extensions: [],
      greeted: false,
      ...(user ? { user } : {}),
    };
    this.all.add(client);
    this.connectionsTotal++;
    socket.on('close', () => this.all.delete(client));
    return client;
  }

  /** The users with a desk connected here now. */
  userIds(): Set<string> {
    const ids = new Set<string>();
    for (const client of this.all)
      if (client.user && client.socket.readyState === WebSocket.OPEN) ids.add(client.user.id);
    return ids;
  }

  get ready(): Client[] {
    return [...this.all].filter((client) => client.ready);
  }

  /** `onFlushed` runs once the frame is handed to the kernel (or at once when it cannot be sent). */
  send(client: Client, frame: ServerFrame | string, onFlushed?: () => void): void {
    if (client.socket.readyState !== WebSocket.OPEN) {
      onFlushed?.();
      return;
    }
    if (client.socket.bufferedAmount > this.bufferLimit) {
      // A client that stopped reading must not hold the others up: drop it; the journal catches it up.
      this.log('warn', `extension #${client.id} is not reading; dropped`, {
        event: 'client-dropped',
        client: client.id,
      });
      client.socket.terminate();
      onFlushed?.();
      return;
    }
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    client.socket.send(data, onFlushed && (() => onFlushed()));
  }

  /** One frame, serialised once, to every ready client; returns how many it went to. */
  broadcast(frame: ServerFrame): number {
    const data = JSON.stringify(frame);
    let sent = 0;
    for (const client of this.all) {
      if (!client.ready) continue;
      this.send(client, data);
      sent++;
    }
    return sent;
  }

  /** Ping everyone; one that did not answer the last ping is gone. Ready clients also get a heartbeat frame. */
  beat(now = Date.now()): void {
    const frame: ServerFrame = { type: 'heartbeat', at: now };
    for (const client of this.all) {
      if (!client.alive) {
        this.log('warn', `extension #${client.id} stopped answering; terminated`, {
          event: 'client-dead',
          client: client.id,
        });
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
      if (client.ready) this.send(client, frame);
    }
  }

  closeAll(code: number, reason: string): void {
    for (const client of this.all) client.socket.close(code, reason);
  }
}
