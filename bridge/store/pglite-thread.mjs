// The embedded store's own thread: PGlite runs PostgreSQL compiled to WASM, which holds the JavaScript
// thread while it works (4.7 s to create a store, 250 ms for a 500-change push, measured). Here it holds
// only this thread, never the bridge's, so a call is relayed while the store writes. Plain JavaScript: a
// worker thread cannot load TypeScript through tsx on Node 20 (its loader hooks do not reach workers).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { POSTGRESQL_CONF } from './pglite-conf.mjs';

const port = parentPort;
const { dir } = workerData;

try {
  const db = await PGlite.create(dir, { postgresqlconf: POSTGRESQL_CONF });
  port.on('message', async (request) => {
    try {
      if (request.kind === 'close') {
        await db.close();
        port.postMessage({ id: request.id, rows: [] });
        port.close();
        return;
      }
      const result = await db.query(request.text, request.params);
      port.postMessage({ id: request.id, rows: result.rows });
    } catch (error) {
      port.postMessage({ id: request.id, error: { message: error.message, code: error.code } });
    }
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: error.message });
}
