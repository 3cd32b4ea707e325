import { describe, expect, it } from 'vitest';
import { AgentLimits } from '../../src/bots/mcp/limits.js';

describe('AgentLimits', () => {
  it('refuses calls over the minute per token, saying how long to wait, and opens again the next minute', () => {
    let now = 1_000_000;
    const limits = new AgentLimits({ MCP_REQUESTS_PER_MINUTE: 2, MCP_CONCURRENT_ASKS: 1 }, () => now);
    limits.admit('t1', 'a');
    limits.admit('t1', 'a');
    now += 45_000;
    expect(() => limits.admit('t1', 'a')).toThrow(/token "a" made 2 calls this minute.*Fix: wait 15 s/);
    // Another token has its own minute.
    expect(() => limits.admit('t2', 'b')).not.toThrow();
    now += 15_000;
    expect(() => limits.admit('t1', 'a')).not.toThrow();
  });

  it('runs at most MCP_CONCURRENT_ASKS asks per token at once and frees the slot when one ends, failed or not', async () => {
    const limits = new AgentLimits({ MCP_REQUESTS_PER_MINUTE: 100, MCP_CONCURRENT_ASKS: 1 });
    let release!: () => void;
    const first = limits.withAskSlot('t1', 'a', () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await expect(limits.withAskSlot('t1', 'a', async () => 'second')).rejects.toThrow(/already has 1 asks running.*MCP_CONCURRENT_ASKS/);
    await expect(limits.withAskSlot('t2', 'b', async () => 'other token')).resolves.toBe('other token');
    release();
    await expect(first).resolves.toBe('done');
    await expect(limits.withAskSlot('t1', 'a', async () => Promise.reject(new Error('model down')))).rejects.toThrow('model down');
    await expect(limits.withAskSlot('t1', 'a', async () => 'after')).resolves.toBe('after');
  });
});
