import { css } from 'lit';

/** `<recording-list>`'s own styles (after `themeStyles`): cards of takes, format chips, status lines, buttons. */
export const recordingListStyles = css`
  [part='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    container-type: inline-size;
    min-width: 0;
  }
  [part='status'] {
    color: var(--_muted);
    min-height: 1.2em;
    overflow-wrap: anywhere;
  }
  [part='status'].error {
    color: var(--_danger);
  }
  [part='recording-status'] {
    margin: 0;
    font-size: 0.875em;
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
  }
  [part='take'] {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: calc(var(--_gap) / 2) var(--_gap);
    padding: var(--_gap);
    border: 1px solid #d0d7de;
    border-radius: var(--_radius);
    min-width: 0;
  }
  [part='take'].has-thumb {
    grid-template-columns: clamp(4.5rem, 26%, 8rem) minmax(0, 1fr);
    align-items: start;
  }
  /* Chips under the thumbnail on phones (room for several per line), beside it when there is room. */
  @container (min-width: 36rem) {
    [part='take'].has-thumb {
      grid-template-rows: auto 1fr;
    }
    [part='take'].has-thumb [part='thumbnail'] {
      grid-row: 1 / span 2;
    }
    [part='take'].has-thumb [part='formats'] {
      grid-column: 2;
      align-self: start;
    }
  }
  [part='thumbnail'] {
    width: 100%;
    aspect-ratio: 16 / 9;
    object-fit: cover;
    border-radius: calc(var(--_radius) / 2);
    background: #eef1f4;
  }
  .body {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gap) / 2);
    min-width: 0;
  }
  [part='title'] {
    margin: 0;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  [part='details'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0 calc(var(--_gap) * 2);
    margin: 0;
    font-size: 0.875em;
  }
  [part='details'] > div {
    display: flex;
    gap: 0.35em;
    min-width: 0;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
    min-width: 0;
    font-variant-numeric: tabular-nums;
  }
  [part='formats'] {
    grid-column: 1 / -1;
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_gap) / 2);
  }
  button {
    font: inherit;
    border-radius: var(--_radius);
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  [part~='chip'] {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    min-height: 2.25rem;
    padding: 0.3em 0.75em;
    border: 1px solid var(--_accent);
    border-radius: 999px;
    background: transparent;
    color: var(--_accent);
    font-weight: 600;
    max-width: 100%;
    position: relative;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  [part~='chip'] .size {
    font-weight: 400;
    font-size: 0.85em;
    font-variant-numeric: tabular-nums;
  }
  [part~='selected'] {
    background: var(--_accent);
    color: #fff;
  }
  [part='more'],
  [part='retry'] {
    align-self: start;
    padding: calc(var(--_gap) / 2) var(--_gap);
    border: 1px solid var(--_accent);
    background: transparent;
    color: var(--_accent);
  }
`;
