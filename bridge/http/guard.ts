/**
 * Who may reach the bridge over HTTP and WebSocket: the Host header must name the bridge (no DNS rebinding
 * from a web page), and a browser's Origin must be an allowed extension.
 */
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';

/** An address of this machine's loopback (IPv4, IPv6, IPv4-mapped). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return plain === '::1' || /^127\./.test(plain) || plain === 'localhost';
}

export interface GuardOptions {
  host?: string;
  allowedOrigins: readonly string[];
  /** The names desks on the office network reach the bridge by ("kesher.office.lan", "192.168.1.10"). */
  hostNames?: readonly string[];
}

export class Guard {
  private readonly names: Set<string>;

  constructor(private readonly options: GuardOptions) {
    this.names = new Set(
      ['127.0.0.1', 'localhost', '::1', options.host ?? '127.0.0.1', ...(options.hostNames ?? [])].map(
        (name) => name.toLowerCase(),
      ),
    );
  }

  allowedHost(host: string | undefined): boolean {
    if (!host) return false;
    const name = host
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    return this.names.has(name);
  }

  /** Listening beyond this machine (`--host` on the office network). */
  get exposed(): boolean {
    return !isLoopback(this.options.host ?? '127.0.0.1');
  }

  /**
   * The office's single token is for this machine only once the bridge is on the network: the admin's
   * commands and a desk on the bridge's own machine. Desks elsewhere pair as users and use their own token.
   */
  officeTokenFrom(remoteAddress: string | undefined): boolean {
    if (!this.exposed || isLoopback(remoteAddress)) return true;
    // Listening on one LAN address, this machine reaches itself there.
    const plain = remoteAddress?.replace(/^::ffff:/i, '');
    return plain !== undefined && plain === this.options.host;
  }

  allowedOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.options.allowedOrigins.includes(origin);
  }

  /** express middleware: a wrong Host is 421, a foreign Origin 403; an allowed one gets CORS headers. */
  middleware() {
    return (request: Request, response: Response, next: NextFunction) => {
      if (!this.allowedHost(request.headers.host)) {
        response.status(421).json({ error: 'unexpected Host header' });
        return;
      }
      const origin = request.headers.origin;
      if (origin !== undefined) {
        // Browsers always send Origin on cross-origin requests: only the extension may talk to us.
        if (!this.allowedOrigin(origin)) {
          response.status(403).json({ error: `origin ${origin} is not allowed` });
          return;
        }
        response.setHeader('Access-Control-Allow-Origin', origin);
        response.setHeader('Vary', 'Origin');
        response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        response.setHeader('Access-Control-Allow-Methods', 'GET, POST');
        if (request.method === 'OPTIONS') {
          response.status(204).end();
          return;
        }
      }
      next();
    };
  }
}

/** Refuse an HTTP upgrade with a status line the client can read. */
export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
  socket.destroy();
}
