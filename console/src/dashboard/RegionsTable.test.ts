import { describe, expect, it } from 'vitest';
import { clearedText, millis, percent } from './RegionsTable';

describe('region table cells', () => {
  it('shows rates as percentages, and a dash before any request', () => {
    expect(percent(0.875, 8)).toBe('87.5 %');
    expect(percent(0, 0)).toBe('–');
  });

  it('shows load times in ms, and a dash before any load', () => {
    expect(millis(12.34, 3)).toBe('12.3 ms');
    expect(millis(0, 0)).toBe('–');
  });

  it('says how many entries a clear removed', () => {
    expect(clearedText('users', 1)).toBe('Region users cleared: 1 entry removed');
    expect(clearedText('users', 3)).toBe('Region users cleared: 3 entries removed');
  });
});
