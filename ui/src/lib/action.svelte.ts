// The busy and error state of one thing a screen does (save a form, load a list, send a test
// email), so every component reports a command's failure the same way: as the `{code, message,
// details}` contract, with `invalid_input`'s problems by field in words. It never shows
// anything itself (ErrorNotice and the fields do) and never retries.
import { getContext, setContext } from 'svelte';
import { ApiError, toIpcError } from './api';
import type { IpcError } from './bindings';
import { fieldErrors } from './errors';

/** Whatever a command, or the code around it, threw, as the error contract. */
export function asIpcError(raw: unknown): IpcError {
  return raw instanceof ApiError ? raw.error : toIpcError(raw);
}

/** Whether the call it was given to is still the latest one on its Action. */
export type Current = () => boolean;

export class Action {
  /** True while a `run` works: what disables the form's buttons. */
  busy = $state(false);
  /** The last failure, until the next `run` starts or the next `load` succeeds. */
  error = $state<IpcError | null>(null);
  /** `invalid_input`'s refused fields, in words, by field name. */
  readonly fields = $derived(fieldErrors(this.error));

  #latest = 0;
  #running = 0;

  /**
   * Something the user asked for: busy while it works, the previous error cleared first.
   * Resolves true when `work` succeeded; a failure is kept in `error`, never thrown.
   */
  async run(work: (current: Current) => Promise<unknown>): Promise<boolean> {
    this.#running += 1;
    this.busy = true;
    this.error = null;
    try {
      return await this.#settle(work);
    } finally {
      this.#running -= 1;
      this.busy = this.#running > 0;
    }
  }

  /**
   * Reading or refreshing what is shown: never busy (the form stays usable while a list
   * reloads), and the error clears only once a load succeeds, so it does not flicker.
   */
  load(work: (current: Current) => Promise<unknown>): Promise<boolean> {
    return this.#settle(work);
  }

  /**
   * Only the latest call speaks: when calls overlap (a list reloading while the user types), an
   * earlier one that ends last neither sets nor clears the error and resolves false. `work` is
   * given `current` to ask the same before it shows what it read.
   */
  async #settle(work: (current: Current) => Promise<unknown>): Promise<boolean> {
    const ticket = ++this.#latest;
    const current = () => ticket === this.#latest;
    try {
      await work(current);
      if (current()) this.error = null;
      return current();
    } catch (raw) {
      if (current()) this.error = asIpcError(raw);
      return false;
    }
  }

  /** A failure found before any command ran (a file too large to send, say). */
  refuse(error: IpcError): void {
    this.error = error;
  }

  clear(): void {
    this.error = null;
  }
}

const FORM = Symbol("the form's Action");

/**
 * Makes `action` the one the fields below this component report (call it while the component
 * initialises): a Field with a `name` shows that field's refusal from `action.fields`, and its
 * control is disabled while `action` runs, unless the Field is told otherwise.
 */
export function setFormAction(action: Action): Action {
  setContext(FORM, action);
  return action;
}

/** The Action of the form this component is in, if any (see `setFormAction`). */
export function formAction(): Action | undefined {
  return getContext<Action | undefined>(FORM);
}
