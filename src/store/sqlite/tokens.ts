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
const TOKEN = /^citebot_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/u;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

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

/** A new token: its id, its secret (shown once), and the access_tokens row values (id, name, secret_hash, scopes, created_at, expires_at). */
export function mintToken(input: { name: string; scopes: string[]; expiresAt?: Date }): { id: string; secret: string; values: unknown[] } {
  const id = randomBytes(8).toString('hex');
  const secret = `citebot_${id}_${randomBytes(32).toString('base64url')}`;
  const values = [
    id,
    input.name,
    sha256(secret).toString('hex'),
    JSON.stringify(input.scopes),
    new Date().toISOString(),
    input.expiresAt?.toISOString() ?? null,
  ];
  return { id, secret, values };
}

/** The row id a presented token names; undefined when it is not a citebot token at all. */
export function presentedId(presented: string): string | undefined {
  return TOKEN.exec(presented.trim())?.[1];
}

/** Whether a presented token is accepted now, given the row its id names. */
export function judgeToken(presented: string, row: TokenRow | undefined, now: Date): TokenCheck {
  if (!row || !timingSafeEqual(Buffer.from(row.secret_hash, 'hex'), sha256(presented.trim()))) return { ok: false, refusal: 'unknown' };
  const token = tokenFromRow(row);
  if (token.revokedAt) return { ok: false, refusal: 'revoked', token };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { ok: false, refusal: 'expired', token };
  return { ok: true, token };
}

/** Uses are noted to the minute: enough for `citebot token list`, and fewer writes. */
export const useMinute = (at: Date) => at.toISOString().slice(0, 16) + 'Z';

/** Access tokens for agents in SQLite. */
export class SqliteTokenStore implements AccessTokenStore {
  constructor(private readonly db: Db) {}

  /** A new token; its secret is returned here once and never again. Throws when an active token has this name. */
  async create(input: { name: string; scopes: string[]; expiresAt?: Date }): Promise<{ secret: string; token: AccessToken }> {
    if (await this.active(input.name)) throw new Error(`a token named "${input.name}" exists`);
    const { id, secret, values } = mintToken(input);
    this.db
      .prepare('INSERT INTO access_tokens (id, name, secret_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(...values);
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
    const id = presentedId(presented);
    if (!id) return { ok: false, refusal: 'malformed' };
    return judgeToken(presented, this.db.prepare('SELECT * FROM access_tokens WHERE id = ?').get(id) as TokenRow | undefined, now);
  }

  /** Note a use, for `citebot token list` (minute precision is enough and writes less). */
  async touch(id: string, at = new Date()): Promise<void> {
    const minute = useMinute(at);
    this.db
      .prepare('UPDATE access_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <> ?)')
      .run(minute, id, minute);
  }
}
