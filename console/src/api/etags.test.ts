import { describe, expect, it } from 'vitest';
import { EtagStore } from './etags';

describe('EtagStore', () => {
  it('forgets the least recently used URL beyond its capacity', () => {
    const store = new EtagStore(2);
    store.set('/a', '"1"', 'a');
    store.set('/b', '"2"', 'b');
    store.get('/a'); // /b is now the oldest use
    store.set('/c', '"3"', 'c');
    expect(store.get('/b')).toBeUndefined();
    expect(store.get('/a')).toEqual({ etag: '"1"', data: 'a' });
    expect(store.size).toBe(2);
  });

  it('clears everything (sign-out)', () => {
    const store = new EtagStore();
    store.set('/a', '"1"', 'a');
    store.clear();
    expect(store.size).toBe(0);
  });
});
