import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config.js';

const load = (env: Record<string, string>) => loadSettings({ env: { DATA_DIR: '/tmp/citebot-unused', ...env }, dotenvDir: false });

describe('MCP settings', () => {
  it('are off by default, with bounds on by default', () => {
    expect(load({})).toMatchObject({
      MCP_HTTP: 'off',
      MCP_REQUESTS_PER_MINUTE: 60,
      MCP_CONCURRENT_ASKS: 2,
      MCP_MAX_QUESTION_CHARS: 2000,
      MCP_MAX_K: 20,
    });
  });

  it('refuse /mcp without the port it is served on, and bounds out of range, each with the fix', () => {
    expect(() => load({ MCP_HTTP: 'on', HEALTH_PORT: '0' })).toThrow(
      /MCP_HTTP: \/mcp is served on HEALTH_PORT, which is 0 \(off\)\. Fix: set HEALTH_PORT/,
    );
    const error = (() => {
      try {
        load({ MCP_MAX_K: '0', MCP_CONCURRENT_ASKS: 'many', MCP_HTTP: 'yes' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0]).sort()).toEqual(['MCP_CONCURRENT_ASKS', 'MCP_HTTP', 'MCP_MAX_K']);
  });
});
