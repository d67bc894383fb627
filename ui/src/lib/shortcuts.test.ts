import { describe, expect, it } from 'vitest';
import { mouseShortcutOf, shortcutOf } from './shortcuts';

// The test environment is Node, without DOM events: what the functions read is enough.
const key = (key: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, ...mods }) as KeyboardEvent;
const mouse = (button: number) => ({ button }) as MouseEvent;

describe('shortcuts', () => {
  it('reads each combination', () => {
    expect(shortcutOf(key('n', { ctrlKey: true }))).toBe('new');
    expect(shortcutOf(key('N', { ctrlKey: true }))).toBe('new');
    expect(shortcutOf(key('f', { metaKey: true }))).toBe('search');
    expect(shortcutOf(key('Enter', { ctrlKey: true }))).toBe('save');
    expect(shortcutOf(key('ArrowLeft', { altKey: true }))).toBe('back');
    expect(shortcutOf(key('ArrowRight', { altKey: true }))).toBe('forward');
    expect(shortcutOf(key('F1'))).toBe('help');
    expect(shortcutOf(key('Escape'))).toBe('escape');
  });

  it('never reads a single character, or a combination it does not own', () => {
    for (const plain of ['n', 'f', 'Enter', 'ArrowLeft', '?', 'a']) expect(shortcutOf(key(plain))).toBeNull();
    expect(shortcutOf(key('n', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutOf(key('ArrowLeft', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(key('Escape', { shiftKey: true }))).toBeNull();
    expect(shortcutOf(key('c', { ctrlKey: true }))).toBeNull();
  });

  it('reads the mouse’s back and forward buttons', () => {
    expect(mouseShortcutOf(mouse(3))).toBe('back');
    expect(mouseShortcutOf(mouse(4))).toBe('forward');
    expect(mouseShortcutOf(mouse(0))).toBeNull();
  });
});
