import { CitebotError } from '../../errors.js';

export interface AgentLimitSettings {
  MCP_REQUESTS_PER_MINUTE: number;
  MCP_CONCURRENT_ASKS: number;
}

/**
 * Per-token bounds on agents, in this process: tool calls per minute (a fixed one-minute window)
 * and `ask` calls running at once. A refusal says how long to wait; nothing is queued behind it.
 */
export class AgentLimits {
  private readonly windows = new Map<string, { startedAt: number; calls: number }>();
  private readonly asking = new Map<string, number>();

  constructor(
    private readonly settings: AgentLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one tool call for `tokenId`, or refuse it when the token has used its minute. */
  admit(tokenId: string, tokenName: string): void {
    const now = this.now();
    const current = this.windows.get(tokenId);
    const window = current && now - current.startedAt < 60_000 ? current : { startedAt: now, calls: 0 };
    if (window.calls >= this.settings.MCP_REQUESTS_PER_MINUTE) {
      const waitS = Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000));
      throw new CitebotError(
        'rate_limited',
        `token "${tokenName}" made ${window.calls} calls this minute, the limit (MCP_REQUESTS_PER_MINUTE)`,
        {
          fix: `wait ${waitS} s and call again`,
        },
      );
    }
    window.calls += 1;
    this.windows.set(tokenId, window);
  }

  /** Run one `ask` for `tokenId` if the token has a free slot; refuse it otherwise. */
  async withAskSlot<T>(tokenId: string, tokenName: string, work: () => Promise<T>): Promise<T> {
    const running = this.asking.get(tokenId) ?? 0;
    if (running >= this.settings.MCP_CONCURRENT_ASKS)
      throw new CitebotError('rate_limited', `token "${tokenName}" already has ${running} asks running, the limit (MCP_CONCURRENT_ASKS)`, {
        fix: 'wait for one to finish, or use the search tool, which needs no model',
      });
    this.asking.set(tokenId, running + 1);
    try {
      return await work();
    } finally {
      const left = (this.asking.get(tokenId) ?? 1) - 1;
      if (left > 0) this.asking.set(tokenId, left);
      else this.asking.delete(tokenId);
    }
  }
}
