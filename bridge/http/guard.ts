/**
 * Who may reach the bridge over HTTP and WebSocket: the Host header must name the bridge (no DNS rebinding
 * from a web page), and a browser's Origin must be an allowed extension.
 */
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';

export class Guard {
  constructor(private readonly options: { host?: string; allowedOrigins: readonly string[] }) {}

  allowedHost(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const listenHost = this.options.host ?? '127.0.0.1';
    return ['127.0.0.1', 'localhost', '::1', listenHost].includes(name);
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
