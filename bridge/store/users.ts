/**
 * The office's users: `npm run bridge -- user add "Dana Levi" --extension 101` prints a short one-time
 * pairing code; a desk exchanges it (POST /api/v1/pair) for a long-lived token of its own, which the bridge
 * keeps only as a hash. Every change a desk pushes is recorded under its user; `user revoke` ends a token.
 * The office's single pairing token keeps working for a one-desk set-up (its changes are the office's).
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { PAIRING_CODE_ALPHABET, pairingCodeOf } from '../../shared/pairing-code';
import type { SqlRunner } from './sql';

const CODE_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface User {
  id: string;
  name: string;
  extensions: string[];
  createdAt: number;
  revokedAt?: number;
  lastSeen?: number;
  /** The last hub change the user's desk had when it last pulled or went away. */
  syncedSeq?: number;
  /** A code was issued and not used yet. */
  pending: boolean;
}

interface UserRow {
  id: string;
  name: string;
  extensions: string[];
  created_at: number;
  revoked_at: number | null;
  last_seen: number | null;
  synced_seq: number | null;
  code_hash: string | null;
  token_hash: string | null;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');
const toUser = (row: UserRow): User => ({
  id: row.id,
  name: row.name,
  extensions: row.extensions ?? [],
  createdAt: Number(row.created_at),
  ...(row.revoked_at ? { revokedAt: Number(row.revoked_at) } : {}),
  ...(row.last_seen ? { lastSeen: Number(row.last_seen) } : {}),
  ...(row.synced_seq !== null && row.synced_seq !== undefined ? { syncedSeq: Number(row.synced_seq) } : {}),
  pending: row.code_hash !== null && row.token_hash === null,
});

function newCode(): string {
  const pick = () => PAIRING_CODE_ALPHABET[randomInt(PAIRING_CODE_ALPHABET.length)];
  return `${Array.from({ length: 4 }, pick).join('')}-${Array.from({ length: 4 }, pick).join('')}`;
}

export class Users {
  constructor(private readonly sql: SqlRunner) {}

  async add(name: string, extensions: string[], now = Date.now()): Promise<{ user: User; code: string }> {
    const clean = name.trim().slice(0, 100);
    if (!clean) throw new Error('a user needs a name');
    const code = newCode();
    const id = randomUUID();
    await this.sql.query(
      `INSERT INTO kesher_users (id, name, extensions, code_hash, code_expires, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, clean, JSON.stringify(extensions), hash(code), now + CODE_LIFETIME_MS, now],
    );
    const [row] = await this.sql.query<UserRow>('SELECT * FROM kesher_users WHERE id = $1', [id]);
    return { user: toUser(row!), code };
  }

  /** A desk's pairing code for its token: once, within a day, for a user not revoked. */
  async redeem(code: string, now = Date.now()): Promise<{ user: User; token: string } | null> {
    const normalised = pairingCodeOf(code);
    if (!normalised) return null;
    const token = `kesher_${randomBytes(24).toString('base64url')}`;
    const rows = await this.sql.query<UserRow>(
      `UPDATE kesher_users SET token_hash = $1, code_hash = NULL, code_expires = NULL
       WHERE code_hash = $2 AND code_expires > $3 AND revoked_at IS NULL
       RETURNING *`,
      [hash(token), hash(normalised), now],
    );
    return rows[0] ? { user: toUser(rows[0]), token } : null;
  }

  /** Who a token belongs to (and when they were last seen, now). */
  async byToken(token: string, now = Date.now()): Promise<User | null> {
    if (!token.startsWith('kesher_')) return null;
    const rows = await this.sql.query<UserRow>(
      'UPDATE kesher_users SET last_seen = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING *',
      [hash(token), now],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  /** Where a user's desk stands (its cursor) and that it was just here. */
  async synced(id: string, seq: number, now = Date.now()): Promise<void> {
    await this.sql.query('UPDATE kesher_users SET synced_seq = $2, last_seen = $3 WHERE id = $1', [
      id,
      seq,
      now,
    ]);
  }

  async list(): Promise<User[]> {
    return (await this.sql.query<UserRow>('SELECT * FROM kesher_users ORDER BY created_at')).map(toUser);
  }

  /** Revoke by id or by name (a name must be unambiguous). */
  async revoke(who: string, now = Date.now()): Promise<User> {
    const rows = await this.sql.query<UserRow>(
      'SELECT * FROM kesher_users WHERE (id = $1 OR lower(name) = lower($1)) AND revoked_at IS NULL',
      [who.trim()],
    );
    if (rows.length === 0) throw new Error(`no active user "${who}"`);
    if (rows.length > 1)
      throw new Error(`"${who}" names ${rows.length} users: revoke by id (npm run bridge -- user list)`);
    const [revoked] = await this.sql.query<UserRow>(
      'UPDATE kesher_users SET revoked_at = $2, code_hash = NULL WHERE id = $1 RETURNING *',
      [rows[0]!.id, now],
    );
    return toUser(revoked!);
  }
}
