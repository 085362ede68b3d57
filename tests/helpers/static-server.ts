/** The test pages, served on 127.0.0.1 (port 0): tests/fixtures/web at /, tests/fixtures/gmail at /gmail/. */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { REPO_ROOT } from './bridge-process';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.vcf': 'text/vcard; charset=utf-8',
  '.json': 'application/json',
};

export interface StaticServer {
  port: number;
  /** Extra pages by path, e.g. a generated benchmark page. */
  pages: Map<string, string>;
  close(): Promise<void>;
}

export async function startStaticServer(): Promise<StaticServer> {
  const pages = new Map<string, string>();
  const root = join(REPO_ROOT, 'tests', 'fixtures');
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const extra = pages.get(path);
    if (extra !== undefined) {
      response.writeHead(200, { 'content-type': TYPES['.html']! });
      response.end(extra);
      return;
    }
    const relative = normalize(path.startsWith('/gmail/') ? path : `/web${path}`).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    readFile(join(root, relative)).then(
      (body) => {
        response.writeHead(200, { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream' });
        response.end(body);
      },
      () => {
        response.writeHead(404);
        response.end('not found');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    pages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
