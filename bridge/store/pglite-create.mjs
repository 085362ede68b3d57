// Creates a new embedded store, in a process of its own that exits when it is done. Creating one runs
// PostgreSQL's initdb in WASM, which takes ~650 MB for a moment and leaves the process ~100 MB bigger for
// good (freed memory the allocator keeps): the bridge never pays that, it only opens the finished store.
// Plain JavaScript, started with node itself (no TypeScript loader needed).
import { PGlite } from '@electric-sql/pglite';
import { POSTGRESQL_CONF } from './pglite-conf.mjs';

const dir = process.argv[2];
try {
  const db = await PGlite.create(dir, { postgresqlconf: POSTGRESQL_CONF });
  await db.close();
} catch (error) {
  process.stderr.write(`${error?.message ?? error}\n`);
  process.exit(1);
}
