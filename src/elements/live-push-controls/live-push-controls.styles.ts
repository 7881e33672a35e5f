import { css } from 'lit';
import { themeStyles } from '../theme.js';

/** `<live-push-controls>`'s styles: the shared theme, then its own layout. */
export const livePushControlsStyles = [
  themeStyles,
  css`
    section {
      display: grid;
      gap: var(--_gap);
    }
    video {
      width: 100%;
      aspect-ratio: 16 / 9;
      background: var(--relay-preview-bg, #000);
      border-radius: var(--_radius);
      object-fit: contain;
    }
    fieldset {
      border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
      border-radius: var(--_radius);
      margin: 0;
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
      align-items: center;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_gap);
      align-items: center;
    }
    button {
      font: inherit;
      padding: 0.35em 0.9em;
      border-radius: var(--_radius);
      border: 1px solid currentColor;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    button:disabled {
      opacity: 0.5;
      cursor: default;
    }
    button:focus-visible,
    input:focus-visible,
    select:focus-visible {
      outline: 2px solid var(--_accent);
      outline-offset: 2px;
    }
    [part='start-button'] {
      background: var(--_accent);
      border-color: var(--_accent);
      color: #fff;
    }
    [part='stop-button'] {
      border-color: var(--_danger);
      color: var(--_danger);
    }
    [part='message'] {
      color: var(--_danger);
      margin: 0;
    }
    [part='message'] small {
      display: block;
    }
    [part='status'] {
      margin: 0;
    }
    ul {
      list-style: none;
      padding: 0;
      margin: 0;
      display: grid;
      gap: calc(var(--_gap) / 2);
    }
    [part='url'] {
      display: flex;
      gap: var(--_gap);
      align-items: center;
    }
    code {
      overflow-wrap: anywhere;
      flex: 1;
    }
    .hint {
      font-size: 0.85em;
      opacity: 0.8;
    }
  `,
];
