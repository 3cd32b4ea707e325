import { describe, expect, it } from 'vitest';
import { parseScopeGrants } from '../../src/scope-grants.js';
import { parseScopePatterns, patternContains, scopePatternProblem, scopesForPatterns } from '../../src/scope-patterns.js';

describe('token scope patterns', () => {
  it('accepts exact scopes and platform or workspace wildcards, refusing everything else with the forms', () => {
    for (const ok of ['slack:T1:C1', 'local:default', 'discord:1:2', 'local:*', 'slack:*', 'slack:T1:*', 'discord:dm:*'])
      expect(scopePatternProblem(ok)).toBeUndefined();
    for (const bad of ['*', 'slack:T1*', 'local:a:*', 'teams:*', 'slack:T1:C1:*', 'slack:T 1:*', 'slack:T1', ''])
      expect(scopePatternProblem(bad), bad).toMatch(/is not a (\w+ )?scope/);
    expect(parseScopePatterns(' slack:T1:C1 , local:* ,slack:T1:C1')).toEqual(['slack:T1:C1', 'local:*']);
    expect(() => parseScopePatterns('slack:T1:C1,*')).toThrow(/"\*" is not a scope pattern/);
    expect(() => parseScopePatterns(' , ')).toThrow(/no scopes given/);
  });

  it('reads the granted scopes and what SHARED_SCOPES shares with them, nothing else', () => {
    const grants = parseScopeGrants('local:handbook -> slack:T1:*; local:ops -> slack:T1:COPS; local:other -> slack:T2:*');
    const inUse = ['local:a', 'local:b', 'slack:T1:CA', 'slack:T1:CB', 'slack:T2:CX', 'local:handbook', 'local:ops', 'local:other'];
    expect(scopesForPatterns(['slack:T1:CA'], grants, inUse)).toEqual(['slack:T1:CA', 'local:handbook']);
    // A wildcard covers the scopes in use under it and the shares of any scope it covers.
    expect(scopesForPatterns(['slack:T1:*'], grants, inUse)).toEqual(['slack:T1:CA', 'slack:T1:CB', 'local:handbook', 'local:ops']);
    // local:* covers the shared scopes' own names too: they are local scopes.
    expect(scopesForPatterns(['local:*'], [], inUse)).toEqual(['local:a', 'local:b', 'local:handbook', 'local:ops', 'local:other']);
    expect(scopesForPatterns(['discord:*'], grants, inUse)).toEqual([]);
  });

  it('lets a narrowing pick only what a pattern already covers', () => {
    expect(patternContains('slack:*', 'slack:T1:*')).toBe(true);
    expect(patternContains('slack:T1:*', 'slack:T1:C1')).toBe(true);
    expect(patternContains('slack:T1:C1', 'slack:T1:C1')).toBe(true);
    expect(patternContains('slack:T1:C1', 'slack:T1:*')).toBe(false);
    expect(patternContains('slack:T1:*', 'slack:*')).toBe(false);
    expect(patternContains('slack:T1:*', 'slack:T2:C1')).toBe(false);
  });
});
