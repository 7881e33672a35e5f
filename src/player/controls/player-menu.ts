import { css, html } from 'lit';
import { checkIcon } from '../../elements/icons.js';

/** One choice of a control-bar menu (a `menuitemradio`: exactly one is checked). */
export interface MenuChoice {
  label: string;
  checked: boolean;
  choose(): void;
}

export interface MenuSpec {
  /** Part name of the menu; its button gets `control-button {name}-button`, its list `menu {name}`. */
  name: string;
  /** Accessible name of the list (and of the button, unless `buttonLabel`). */
  label: string;
  /** Accessible name of the button when it shows more than `label` (its face's text must be part of it). */
  buttonLabel?: string;
  /** What the button shows (text or an icon); the button's accessible name stays `label`. */
  face: unknown;
  choices: MenuChoice[];
}

const items = (list: HTMLElement): HTMLElement[] => [
  ...list.querySelectorAll<HTMLElement>('[role=menuitemradio]'),
];

/**
 * Places the open list above its button (below when there is no room), inside the viewport. The list is a
 * popover, in the top layer: the player's box (`overflow: hidden`, a one-line audio bar) does not clip it.
 */
function place(list: HTMLElement, button: HTMLElement): void {
  const b = button.getBoundingClientRect();
  const room = Math.max(b.top, innerHeight - b.bottom) - 8;
  list.style.maxHeight = `${Math.max(room, 48)}px`;
  const l = list.getBoundingClientRect();
  const above = b.top - 4 - l.height >= 4 || b.top > innerHeight - b.bottom;
  const top = above ? Math.max(4, b.top - 4 - l.height) : b.bottom + 4;
  const left = Math.min(Math.max(4, b.right - l.width), innerWidth - l.width - 4);
  list.style.top = `${Math.round(top)}px`;
  list.style.left = `${Math.round(left)}px`;
}

/** While a list is open: it follows its button when the page scrolls or the window is resized. */
const following = new WeakMap<HTMLElement, AbortController>();

function onToggle(e: ToggleEvent): void {
  const list = e.target as HTMLElement;
  const button = list.previousElementSibling as HTMLElement;
  button.setAttribute('aria-expanded', String(e.newState === 'open'));
  following.get(list)?.abort();
  following.delete(list);
  if (e.newState !== 'open') return;
  place(list, button);
  const ac = new AbortController();
  following.set(list, ac);
  const follow = (): void => {
    // (a list taken out of the page with its player closes without a toggle event)
    if (list.isConnected && list.matches(':popover-open')) place(list, button);
    else ac.abort();
  };
  for (const type of ['scroll', 'resize'])
    addEventListener(type, follow, { capture: true, passive: true, signal: ac.signal });
  const all = items(list);
  (all.find((i) => i.getAttribute('aria-checked') === 'true') ?? all[0])?.focus();
}

/** ↑/↓ (wrapping), Home/End move between the choices; Escape closes and gives focus back to the button. */
function onListKey(e: KeyboardEvent): void {
  const list = e.currentTarget as HTMLElement;
  const all = items(list);
  const at = all.indexOf(e.composedPath()[0] as HTMLElement);
  const to: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 };
  const next = to[e.key];
  if (next !== undefined) all[(next + all.length) % all.length]?.focus();
  else if (e.key === 'Escape') close(list);
  else if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  // the player's own shortcuts (←/→ seek, Escape) stay out of the menu
  e.preventDefault();
  e.stopPropagation();
}

function close(list: HTMLElement): void {
  if (list.matches(':popover-open')) list.hidePopover();
  (list.previousElementSibling as HTMLElement).focus();
}

/** ↑/↓ on the closed menu's button open it (Enter and Space do too, as a button's own press). */
function onButtonKey(e: KeyboardEvent): void {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  e.preventDefault();
  e.stopPropagation();
  const list = (e.currentTarget as HTMLElement).nextElementSibling as HTMLElement;
  if (!list.matches(':popover-open')) list.showPopover();
}

/**
 * A menu button (WAI-ARIA menu button pattern, as media-chrome's settings menus): the button opens a list of
 * `menuitemradio` choices; pointer, Enter/Space, ↑/↓, Home/End and Escape all work, and a press outside closes it.
 * The open state lives in the DOM (the popover), so the controls stay plain templates.
 */
export function menu({ name, label, buttonLabel, face, choices }: MenuSpec): unknown {
  const id = `${name}-list`;
  return html`<button
      part="control-button ${name}-button"
      type="button"
      aria-label=${buttonLabel ?? label}
      aria-haspopup="menu"
      aria-expanded="false"
      popovertarget=${id}
      @keydown=${onButtonKey}
    >
      ${face}
    </button>
    <div
      part="menu ${name}"
      id=${id}
      role="menu"
      aria-label=${label}
      popover="auto"
      @toggle=${onToggle}
      @keydown=${onListKey}
    >
      ${choices.map(
        (c) =>
          html`<button
            part="menu-item"
            type="button"
            role="menuitemradio"
            tabindex="-1"
            aria-checked=${c.checked ? 'true' : 'false'}
            @click=${(e: Event) => {
              c.choose();
              close((e.currentTarget as HTMLElement).parentElement!);
            }}
          >
            <span class="check">${c.checked ? checkIcon() : ''}</span>${c.label}
          </button>`,
      )}
    </div>`;
}

export const menuStyles = css`
  [part~='menu'] {
    inset: auto;
    margin: 0;
    padding: 0.25em 0;
    min-width: 7em;
    overflow-y: auto;
    font: inherit;
    font-size: 0.875em;
    color: var(--relay-color-text, #fff);
    background: var(--relay-player-menu-background, rgb(28 28 28 / 0.95));
    border: 1px solid rgb(255 255 255 / 0.25);
    border-radius: var(--_radius);
  }
  [part~='menu-item'] {
    display: flex;
    gap: 0.5em;
    width: 100%;
    padding: 0.45em 1em 0.45em 0.5em;
    text-align: start;
    white-space: nowrap;
    background: transparent;
    border-radius: 0;
  }
  [part~='menu-item'] .check {
    flex: none;
    width: 1em;
  }
  [part~='menu-item']:hover,
  [part~='menu-item']:focus-visible {
    background: rgb(255 255 255 / 0.18);
    outline-offset: -2px;
  }
`;
