import { describe, expect, it } from 'vitest';
import type { KeyInspection } from '../api/types';
import { invalidateRequest, regionText, removedText } from './CacheTools';

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

describe('regionText', () => {
  const inspection = (over: Partial<KeyInspection>): KeyInspection => ({
    key: 'tenant:1:user:2', node: 'a', cached: true, inL1: true, inL2: true, ttlMillis: 1000, sizeBytes: 60,
    compressed: false, absent: false, corrupt: false, writtenAt: null, freshUntil: null, fence: 1, tags: [],
    region: null, ...over,
  });

  it('shows the region when the server knew it', () => {
    expect(regionText(inspection({ region: 'users', inL1: false }))).toBe('users');
  });

  it('tells an L1 entry of no region from an entry only in Redis under a region this node does not know', () => {
    expect(regionText(inspection({}))).toBe('none');
    expect(regionText(inspection({ inL1: false }))).toBe('none known to this node');
  });

  it('shows a dash for a key that is nowhere', () => {
    expect(regionText(inspection({ cached: false, inL1: false, inL2: false }))).toBe('–');
  });
});
