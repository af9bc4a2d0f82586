import { describe, expect, it } from 'vitest';
import { navigate, safeNext } from './router';

describe('after sign-in', () => {
  it('follows only paths of this origin', () => {
    expect(safeNext('/users?page=2')).toBe('/users?page=2');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example/')).toBe('/');
    expect(safeNext('javascript:alert(1)')).toBe('/');
  });
});

describe('navigate', () => {
  it('pushes a history entry, or replaces the current one', () => {
    const before = window.history.length;
    navigate('/users');
    expect(window.location.pathname).toBe('/users');
    expect(window.history.length).toBe(before + 1);
    navigate('/profile', { replace: true });
    expect(window.location.pathname).toBe('/profile');
    expect(window.history.length).toBe(before + 1);
  });
});
