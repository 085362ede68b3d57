/**
 * The office store's one SQL schema, as versioned migrations. The same statements run on PGlite (embedded,
 * the default) and on a PostgreSQL server: nothing here is specific to either. A migration is applied once,
 * in a transaction with its row in `kesher_migrations`; never edit one that shipped, add the next.
 */
export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'changes, records, meta',
    statements: [
      `CREATE TABLE IF NOT EXISTS kesher_meta (
         key text PRIMARY KEY,
         value text NOT NULL
       )`,
      // The hub's one order: every change any desk pushed, once (change_id), with who made it.
      `CREATE TABLE IF NOT EXISTS kesher_changes (
         seq bigserial PRIMARY KEY,
         change_id text NOT NULL UNIQUE,
         tbl text NOT NULL,
         row_id text NOT NULL,
         op text NOT NULL CHECK (op IN ('put', 'delete', 'restore', 'merge')),
         body jsonb NOT NULL,
         author text NOT NULL,
         desk_at bigint NOT NULL,
         hub_at timestamptz NOT NULL DEFAULT now()
       )`,
      'CREATE INDEX IF NOT EXISTS kesher_changes_row ON kesher_changes (tbl, row_id, seq)',
      // Every record as the changes left it (tombstones included): what a new desk downloads.
      `CREATE TABLE IF NOT EXISTS kesher_records (
         tbl text NOT NULL,
         id text NOT NULL,
         data jsonb NOT NULL,
         deleted boolean NOT NULL DEFAULT false,
         seq bigint NOT NULL,
         PRIMARY KEY (tbl, id)
       )`,
      'CREATE INDEX IF NOT EXISTS kesher_records_seq ON kesher_records (seq)',
    ],
  },
  {
    version: 2,
    name: 'users',
    statements: [
      // Per-user credentials: a one-time pairing code (hashed, short-lived) turns into a long-lived token
      // (hashed); a revoked user's token opens nothing.
      `CREATE TABLE IF NOT EXISTS kesher_users (
         id text PRIMARY KEY,
         name text NOT NULL,
         extensions jsonb NOT NULL DEFAULT '[]',
         code_hash text UNIQUE,
         code_expires bigint,
         token_hash text UNIQUE,
         created_at bigint NOT NULL,
         revoked_at bigint,
         last_seen bigint
       )`,
    ],
  },
  {
    version: 3,
    name: 'phone keys',
    statements: [
      // Each card's phone match keys (shared/phone.ts), derived by the hub on every write: the hub logs a
      // call on its caller's card by one indexed lookup. Rebuilt whole when the office's phone settings change.
      `CREATE TABLE IF NOT EXISTS kesher_phone_keys (
         key text NOT NULL,
         card_id text NOT NULL,
         PRIMARY KEY (key, card_id)
       )`,
      'CREATE INDEX IF NOT EXISTS kesher_phone_keys_card ON kesher_phone_keys (card_id)',
    ],
  },
  {
    version: 4,
    name: 'desk cursors',
    statements: [
      // How far each user's desk had synced when it last pulled or went away: the doctor's "behind by N".
      'ALTER TABLE kesher_users ADD COLUMN IF NOT EXISTS synced_seq bigint',
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
