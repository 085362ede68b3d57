/**
 * The admin's commands (`npm run call`, `user …`, the doctor) talking to the bridge on this machine: http,
 * or https pinned to the configured certificate (the office's own certificate need not be trusted by this
 * machine: the command checks the bridge presents exactly the certificate in its config).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { BridgeConfig } from './config';

/** Where this machine reaches its bridge: loopback when it listens there or everywhere. */
export function localBase(config: Pick<BridgeConfig, 'host' | 'port' | 'tls'>): string {
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  return `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

export interface LocalInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** fetch() for the local bridge; `configDir` resolves the TLS files as the bridge does. */
export function localFetch(
  config: Pick<BridgeConfig, 'host' | 'port' | 'tls'>,
  configDir: string,
  path: string,
  init: LocalInit = {},
): Promise<Response> {
  const url = new URL(path, localBase(config));
  const pin = config.tls
    ? new X509Certificate(readFileSync(resolve(configDir, config.tls.cert))).fingerprint256
    : undefined;
  return new Promise((done, fail) => {
    const options = { method: init.method ?? 'GET', headers: init.headers };
    const request = pin
      ? // The pin is checked when the handshake ends (below): the usual chain check would want the office's
        // CA installed on this machine; a different certificate ends the request with an error.
        httpsRequest(url, { ...options, rejectUnauthorized: false })
      : httpRequest(url, options);
    request.on('socket', (socket) => {
      if (!pin) return;
      socket.once('secureConnect', () => {
        const presented = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        if (presented !== pin)
          request.destroy(new Error(`the bridge at ${url.host} presents another certificate than tls.cert`));
      });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done(new Response(Buffer.concat(chunks), { status: response.statusCode ?? 500 })),
      );
      response.on('error', fail);
    });
    request.on('error', fail);
    request.end(init.body);
  });
}
