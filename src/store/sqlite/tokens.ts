import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../database.js';
import type { AccessToken, AccessTokenStore, TokenCheck } from '../ports.js';

export interface TokenRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * A token reads `citebot_<id>_<secret>`: the id finds the row, the secret (32 random bytes) is
 * compared by its SHA-256 in constant time. A leaked database holds no usable token.
 */
export const TOKEN = /^citebot_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/u;

export const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function tokenFromRow(row: TokenRow): AccessToken {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
  };
}

/** Access tokens for agents in SQLite. */
export class SqliteTokenStore implements AccessTokenStore {
  constructor(private readonly db: Db) {}

  /** A new token; its secret is returned here once and never again. Throws when an active token has this name. */
  async create(input: { name: string; scopes: string[]; expiresAt?: Date }): Promise<{ secret: string; token: AccessToken }> {
    const id = randomBytes(8).toString('hex');
    const secret = `citebot_${id}_${randomBytes(32).toString('base64url')}`;
    if (await this.active(input.name)) throw new Error(`a token named "${input.name}" exists`);
    this.db
      .prepare('INSERT INTO access_tokens (id, name, secret_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        id,
        input.name,
        sha256(secret).toString('hex'),
        JSON.stringify(input.scopes),
        new Date().toISOString(),
        input.expiresAt?.toISOString() ?? null,
      );
    return { secret, token: (await this.get(id))! };
  }

  async get(id: string): Promise<AccessToken | undefined> {
    const row = this.db.prepare('SELECT * FROM access_tokens WHERE id = ?').get(id) as TokenRow | undefined;
    return row ? tokenFromRow(row) : undefined;
  }

  /** The token with this name that is not revoked. */
  async active(name: string): Promise<AccessToken | undefined> {
    const row = this.db.prepare('SELECT * FROM access_tokens WHERE name = ? AND revoked_at IS NULL').get(name) as TokenRow | undefined;
    return row ? tokenFromRow(row) : undefined;
  }

  /** Every token, revoked ones included, oldest first. */
  async list(): Promise<AccessToken[]> {
    return (this.db.prepare('SELECT * FROM access_tokens ORDER BY created_at, id').all() as TokenRow[]).map(tokenFromRow);
  }

  /** Revoke the active token with this name (or id); undefined when there is none. */
  async revoke(nameOrId: string, at = new Date()): Promise<AccessToken | undefined> {
    const target = (await this.active(nameOrId)) ?? (await this.get(nameOrId));
    if (!target || target.revokedAt) return undefined;
    this.db.prepare('UPDATE access_tokens SET revoked_at = ? WHERE id = ?').run(at.toISOString(), target.id);
    return this.get(target.id);
  }

  /** Check a presented token now: read on every request, so a revocation or expiry takes effect at once. */
  async check(presented: string, now = new Date()): Promise<TokenCheck> {
    const match = TOKEN.exec(presented.trim());
    if (!match) return { ok: false, refusal: 'malformed' };
    const row = this.db.prepare('SELECT * FROM access_tokens WHERE id = ?').get(match[1]) as TokenRow | undefined;
    if (!row || !timingSafeEqual(Buffer.from(row.secret_hash, 'hex'), sha256(presented.trim()))) return { ok: false, refusal: 'unknown' };
    const token = tokenFromRow(row);
    if (token.revokedAt) return { ok: false, refusal: 'revoked', token };
    if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { ok: false, refusal: 'expired', token };
    return { ok: true, token };
  }

  /** Note a use, for `citebot token list` (minute precision is enough and writes less). */
  async touch(id: string, at = new Date()): Promise<void> {
    const minute = at.toISOString().slice(0, 16) + 'Z';
    this.db
      .prepare('UPDATE access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <> ?)')
      .run(minute, id, minute);
  }
}
