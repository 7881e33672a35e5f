import { css } from 'lit';

/** `<relay-player>`'s own styles (the built-in controls bring theirs with them, see `player/controls/`). */
export const relayPlayerStyles = css`
  :host {
    position: relative;
    aspect-ratio: var(--relay-player-aspect-ratio, 16 / 9);
    background: var(--relay-player-background, #000);
    border-radius: var(--_radius);
    overflow: hidden;
    color: var(--relay-color-text, #fff);
    line-height: normal;
  }
  :host(:state(audio-only)) {
    aspect-ratio: auto;
    min-height: 3em;
  }
  :host(:state(audio-only)) video {
    display: none;
  }
  :host(:state(audio-only)) [part='controls'] {
    position: static;
    background: none;
    opacity: 1;
    contain-intrinsic-inline-size: 20em;
  }
  [part='controls'] {
    container-type: inline-size;
  }
  :host(:state(inactive)) [part='base'] {
    cursor: none;
  }
  [part='base'],
  video {
    width: 100%;
    height: 100%;
    display: block;
  }
  video {
    object-fit: contain;
    background: transparent;
    /* The box's size like a <video>'s: it fills a block column, and where the page asks its content (a flex
           row, media-chrome's inline-block controller) it is 640 px wide, or narrower when there is less room. */
    contain: size;
    contain-intrinsic-size: 640px 360px;
  }
  [part='base']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  [part='overlay'] {
    position: absolute;
    inset: 0;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: center;
    gap: 0.5em;
    pointer-events: none;
    text-align: center;
    padding: 1em;
  }
  [part='overlay'] > * {
    pointer-events: auto;
  }
  button {
    font: inherit;
    color: inherit;
    background: var(--_accent);
    border: 0;
    border-radius: var(--_radius);
    padding: 0.5em 1em;
    cursor: pointer;
  }
  .icon {
    vertical-align: -0.125em;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--relay-color-text, #fff);
    outline-offset: 2px;
  }
  [part='play-button'] {
    font-size: 1.25em;
    padding: 0.6em 1.4em;
  }
  [part='unmute-button'] {
    position: absolute;
    top: 0.5em;
    left: 0.5em;
  }
  [part='status'],
  [part='placeholder'] {
    font-size: 0.875em;
    text-shadow: 0 1px 2px #000;
  }
  [part='placeholder'] {
    font-size: 1em;
    opacity: 0.85;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  [part='error'] {
    max-width: 32em;
    text-shadow: 0 1px 2px #000;
  }
  .spinner {
    width: 2em;
    height: 2em;
    border: 3px solid rgb(255 255 255 / 0.3);
    border-top-color: var(--relay-color-text, #fff);
    border-radius: 50%;
    animation: spin 1s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
  }
`;
