import { beforeEach, describe, expect, it } from 'vitest';
import {
  back,
  close,
  discardAndGo,
  escape,
  finish,
  forward,
  guard,
  keepEditing,
  navigation,
  newReceivable,
  onEscape,
  openCustomer,
  openReceivable,
  openScreen,
  resetNavigation,
} from './navigation.svelte';

beforeEach(resetNavigation);

describe('navigation', () => {
  it('opens a screen’s list from any of its views, as a new step back can undo', () => {
    openReceivable(7);
    expect(navigation.here).toEqual({ screen: 'pending', view: { kind: 'receivable', id: 7 } });
    openScreen('pending');
    expect(navigation.here).toEqual({ screen: 'pending', view: { kind: 'list' } });
    back();
    expect(navigation.view).toEqual({ kind: 'receivable', id: 7 });
    forward();
    expect(navigation.view).toEqual({ kind: 'list' });
  });

  it('goes back and forward through views of several screens; a new step drops the forward ones', () => {
    openScreen('customers');
    openCustomer(3);
    openReceivable(9);
    back();
    back();
    expect(navigation.here).toEqual({ screen: 'customers', view: { kind: 'list' } });
    expect(navigation.canGoForward).toBe(true);
    openScreen('outbox');
    expect(navigation.canGoForward).toBe(false);
    back();
    back();
    expect(navigation.here.screen).toBe('pending');
    expect(navigation.canGoBack).toBe(false);
    back();
    expect(navigation.here.screen).toBe('pending');
  });

  it('counts an arrival even when the place asked for is the one shown, so focus returns to it', () => {
    const before = navigation.arrivals;
    openScreen('pending');
    expect(navigation.arrivals).toBe(before + 1);
    expect(navigation.canGoBack).toBe(false);
  });

  it('asks before leaving a form that holds typing, and moves only once told to discard', () => {
    newReceivable();
    let typed = true;
    const stop = guard(() => typed);
    escape();
    expect(navigation.asking).toBe(true);
    expect(navigation.view.kind).toBe('new-receivable');
    keepEditing();
    expect(navigation.asking).toBe(false);
    openScreen('customers');
    expect(navigation.screen).toBe('pending');
    discardAndGo();
    expect(navigation.here).toEqual({ screen: 'customers', view: { kind: 'list' } });
    stop();
    typed = false;
  });

  it('leaves an empty form without asking', () => {
    newReceivable();
    const stop = guard(() => false);
    close();
    expect(navigation.view).toEqual({ kind: 'list' });
    expect(navigation.asking).toBe(false);
    stop();
  });

  it('after saving, lands on the list and forgets the form’s step', () => {
    newReceivable();
    const stop = guard(() => true);
    finish({ screen: 'pending', view: { kind: 'list' } });
    stop();
    expect(navigation.view).toEqual({ kind: 'list' });
    expect(navigation.canGoBack).toBe(false);
    expect(navigation.canGoForward).toBe(false);
  });

  it('lets an inner part take Escape first', () => {
    openReceivable(4);
    let open = true;
    const stop = onEscape(() => {
      if (!open) return false;
      open = false;
      return true;
    });
    escape();
    expect(open).toBe(false);
    expect(navigation.view).toEqual({ kind: 'receivable', id: 4 });
    escape();
    expect(navigation.view).toEqual({ kind: 'list' });
    stop();
  });

  it('closes a detail to where the owner came from, another screen included', () => {
    openScreen('customers');
    openCustomer(2);
    openReceivable(5);
    close();
    expect(navigation.here).toEqual({ screen: 'customers', view: { kind: 'customer', id: 2 } });
  });
});
