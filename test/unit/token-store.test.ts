import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { SqliteTokenStore } from '../../src/store/sqlite/tokens.js';

describe('SqliteTokenStore', () => {
  const dirs: string[] = [];
  const store = () => {
    const dir = mkdtempSync(join(tmpdir(), 'citebot-tokens-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'citebot.sqlite'));
    return { tokens: new SqliteTokenStore(db), db, file: join(dir, 'citebot.sqlite') };
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps only a hash of the secret and accepts the exact token only', async () => {
    const { tokens, db, file } = store();
    const { secret, token } = await tokens.create({ name: 'agent', scopes: ['slack:T1:C1'] });
    expect(secret).toMatch(/^citebot_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    await expect(tokens.check(secret)).resolves.toMatchObject({ ok: true, token: { name: 'agent', scopes: ['slack:T1:C1'] } });
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(file).includes(secret.slice(-43))).toBe(false);
    // Same id, another secret: unknown, not a hint that the id exists.
    const forged = `citebot_${token.id}_${'A'.repeat(43)}`;
    await expect(tokens.check(forged)).resolves.toEqual({ ok: false, refusal: 'unknown' });
    await expect(tokens.check('Bearer nonsense')).resolves.toEqual({ ok: false, refusal: 'malformed' });
  });

  it('refuses a revoked or expired token at once, and frees a revoked name', async () => {
    const { tokens } = store();
    const { secret } = await tokens.create({ name: 'a', scopes: ['local:*'] });
    await tokens.revoke('a');
    await expect(tokens.check(secret)).resolves.toMatchObject({ ok: false, refusal: 'revoked' });
    await expect(tokens.revoke('a')).resolves.toBeUndefined();
    const again = await tokens.create({ name: 'a', scopes: ['local:*'] });
    await expect(tokens.check(again.secret)).resolves.toMatchObject({ ok: true });
    await expect(tokens.create({ name: 'a', scopes: ['local:*'] })).rejects.toThrow(/exists/);

    const expiresAt = new Date(Date.now() + 60_000);
    const soon = await tokens.create({ name: 'b', scopes: ['local:*'], expiresAt });
    await expect(tokens.check(soon.secret)).resolves.toMatchObject({ ok: true });
    await expect(tokens.check(soon.secret, new Date(expiresAt.getTime() + 1))).resolves.toMatchObject({ ok: false, refusal: 'expired' });
    expect((await tokens.list()).map((t) => [t.name, Boolean(t.revokedAt)])).toEqual([
      ['a', true],
      ['a', false],
      ['b', false],
    ]);
  });
});
