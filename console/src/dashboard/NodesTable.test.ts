import { describe, expect, it } from 'vitest';
import { duration } from './NodesTable';

describe('duration', () => {
  it('shows the two largest units', () => {
    expect(duration(9)).toBe('9 s');
    expect(duration(252)).toBe('4 min 12 s');
    expect(duration(7500)).toBe('2 h 5 min');
    expect(duration(273600)).toBe('3 d 4 h');
  });

  it('never shows a negative time (clocks a little apart)', () => {
    expect(duration(-3)).toBe('0 s');
  });
});
