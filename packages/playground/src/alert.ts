/**
 * Errors the user should see: every failure the page can hit ends up in an element with role="alert",
 * never only in the console.
 */
import { describeError } from './error-text.js';

export { describeError };

/** Shows `message` in `el` (an element with role="alert"). */
export function showError(el: HTMLElement, message: string): void {
  el.textContent = message;
  el.hidden = false;
}

export function clearError(el: HTMLElement): void {
  el.textContent = '';
  el.hidden = true;
}

/** Routes uncaught errors and rejected promises to the page-level alert. */
export function catchUnhandled(el: HTMLElement): void {
  window.addEventListener('error', (event) => showError(el, `Something went wrong: ${describeError(event.error ?? event.message)}`));
  window.addEventListener('unhandledrejection', (event) => showError(el, `Something went wrong: ${describeError(event.reason)}`));
}

/** The element with this id, or an error naming it (a missing element is a bug in index.html). */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`index.html has no element #${id}`);
  return el as T;
}
