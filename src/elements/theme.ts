import { css } from 'lit';

/**
 * The theme every element shares: the public `--relay-*` custom properties, resolved once with one set of
 * defaults into private `--_*` tokens that the elements' own styles use.
 */
export const themeStyles = css`
  :host {
    display: block;
    font-family: var(--relay-font, inherit);
    --_gap: var(--relay-gap, 0.5rem);
    --_accent: var(--relay-accent, #0a66c2);
    --_danger: var(--relay-danger, #b3261e);
    --_radius: var(--relay-radius, 6px);
    --_muted: var(--relay-muted, #5f6368);
  }
  :host([hidden]) {
    display: none;
  }
`;
