import type { AccessToken, AccessTokenStore, TokenCheck } from '../ports.js';
import { judgeToken, mintToken, presentedId, tokenFromRow, useMinute, type TokenRow } from '../sqlite/tokens.js';
import type { PgDatabase } from './database.js';

/** Access tokens for agents in PostgreSQL: the same token format and hashing as SQLite's (sqlite/tokens.ts). */
export class PgTokenStore implements AccessTokenStore {
  constructor(private readonly db: PgDatabase) {}

  async create(input: { name: string; scopes: string[]; expiresAt?: Date }): Promise<{ secret: string; token: AccessToken }> {
    if (await this.active(input.name)) throw new Error(`a token named "${input.name}" exists`);
    const { id, secret, values } = mintToken(input);
    await this.db.query(
      'INSERT INTO access_tokens (id, name, secret_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
      values,
    );
    return { secret, token: (await this.get(id))! };
  }

  async get(id: string): Promise<AccessToken | undefined> {
    const [row] = await this.db.rows<TokenRow>('SELECT * FROM access_tokens WHERE id = $1', [id]);
    return row ? tokenFromRow(row) : undefined;
  }

  async active(name: string): Promise<AccessToken | undefined> {
    const [row] = await this.db.rows<TokenRow>('SELECT * FROM access_tokens WHERE name = $1 AND revoked_at IS NULL', [name]);
    return row ? tokenFromRow(row) : undefined;
  }

  async list(): Promise<AccessToken[]> {
    return (await this.db.rows<TokenRow>('SELECT * FROM access_tokens ORDER BY created_at, id COLLATE "C"')).map(tokenFromRow);
  }

  async revoke(nameOrId: string, at = new Date()): Promise<AccessToken | undefined> {
    const target = (await this.active(nameOrId)) ?? (await this.get(nameOrId));
    if (!target || target.revokedAt) return undefined;
    await this.db.query('UPDATE access_tokens SET revoked_at = $2 WHERE id = $1', [target.id, at.toISOString()]);
    return this.get(target.id);
  }

  async check(presented: string, now = new Date()): Promise<TokenCheck> {
    const id = presentedId(presented);
    if (!id) return { ok: false, refusal: 'malformed' };
    const [row] = await this.db.rows<TokenRow>('SELECT * FROM access_tokens WHERE id = $1', [id]);
    return judgeToken(presented, row, now);
  }

  async touch(id: string, at = new Date()): Promise<void> {
    const minute = useMinute(at);
    await this.db.query('UPDATE access_tokens SET last_used_at = $2 WHERE id = $1 AND last_used_at IS DISTINCT FROM $2', [id, minute]);
  }
}
