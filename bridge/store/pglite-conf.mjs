// The embedded store's PostgreSQL settings, for the process that creates it and the thread that runs it.
// Smaller buffers than PostgreSQL's defaults: the store shares the office machine with the browser, and the
// WASM heap they live in never shrinks.
export const POSTGRESQL_CONF = ['shared_buffers = 16MB', 'work_mem = 2MB'];
