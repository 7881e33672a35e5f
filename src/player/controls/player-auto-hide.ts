import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How long after the last pointer move or key press the controls fade out while playing. */
export const AUTO_HIDE_MS = 2500;

/**
 * Hides the controls while the media plays and nobody moves the pointer (media-chrome's `userinactive`); a
 * pointer move, a touch, a key press or focus inside brings them back. Owns one timer and its listeners.
 */
export class AutoHide implements ReactiveController {
  hidden = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #listeners: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** True while hiding is allowed (playing, not audio-only). */
    private readonly canHide: () => boolean,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const ac = new AbortController();
    this.#listeners = ac;
    const show = (): void => this.show();
    for (const type of ['pointermove', 'pointerdown', 'keydown', 'focusin'])
      this.host.addEventListener(type, show, { signal: ac.signal });
    this.host.addEventListener('pointerleave', () => this.#hideSoon(0), { signal: ac.signal });
  }

  hostDisconnected(): void {
    this.#listeners?.abort();
    this.#listeners = null;
    this.#clear();
  }

  /** Shows the controls and starts the countdown again. */
  show(): void {
    if (this.hidden) {
      this.hidden = false;
      this.host.requestUpdate();
    }
    this.#hideSoon(AUTO_HIDE_MS);
  }

  #hideSoon(ms: number): void {
    this.#clear();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.hidden || !this.canHide() || this.host.matches(':focus-within')) return;
      this.hidden = true;
      this.host.requestUpdate();
    }, ms);
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
