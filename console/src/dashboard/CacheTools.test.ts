import { describe, expect, it } from 'vitest';
import { invalidateRequest, removedText } from './CacheTools';

describe('invalidateRequest', () => {
  it('splits keys and tags on commas, spaces and new lines', () => {
    expect(invalidateRequest('keys', 'tenant:1:a, tenant:1:b\ntenant:1:c')).toEqual({ keys: ['tenant:1:a', 'tenant:1:b', 'tenant:1:c'] });
    expect(invalidateRequest('tags', ' tenant:1:reports ')).toEqual({ tags: ['tenant:1:reports'] });
  });

  it('takes a pattern as typed, trimmed', () => {
    expect(invalidateRequest('pattern', ' tenant:1:user:* ')).toEqual({ pattern: 'tenant:1:user:*' });
  });

  it('asks nothing when nothing was typed', () => {
    expect(invalidateRequest('keys', ' , ')).toBeNull();
    expect(invalidateRequest('pattern', '  ')).toBeNull();
  });
});

describe('removedText', () => {
  it('counts entries in the singular and plural', () => {
    expect(removedText({ invalidated: {}, removed: 1 })).toBe('Invalidated: 1 entry removed');
    expect(removedText({ invalidated: {}, removed: 0 })).toBe('Invalidated: 0 entries removed');
  });

  it('says when Redis could not count them', () => {
    expect(removedText({ invalidated: {}, removed: null })).toMatch(/could not be counted/);
  });
});
