import { svg, type SVGTemplateResult } from 'lit';

/**
 * Inline SVG icons: text glyphs and emoji depend on the fonts of the viewer's machine (many Linux desktops have
 * no emoji font and show an empty box). Icons are decorative: the buttons carry the accessible name. Each is a
 * function (Lit reuses its template): a script that does not use one (the one every page loads, without the lazily
 * loaded controls) drops it, which a `const` made by a call would not allow.
 */
const icon = (body: SVGTemplateResult): SVGTemplateResult =>
  svg`<svg class="icon" viewBox="0 0 24 24" width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false">${body}</svg>`;

export const playIcon = (): SVGTemplateResult => icon(svg`<path d="M8 5v14l11-7z"/>`);
export const pauseIcon = (): SVGTemplateResult => icon(svg`<path d="M6 5h4v14H6zM14 5h4v14h-4z"/>`);
export const volumeIcon = (): SVGTemplateResult =>
  icon(
    svg`<path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/>`,
  );
export const mutedIcon = (): SVGTemplateResult =>
  icon(
    svg`<path d="M3 9v6h4l5 5V4L7 9H3zm13.6 3 2.9-2.9-1.4-1.4-2.9 2.9-2.9-2.9-1.4 1.4 2.9 2.9-2.9 2.9 1.4 1.4 2.9-2.9 2.9 2.9 1.4-1.4z"/>`,
  );
export const fullscreenIcon = (): SVGTemplateResult =>
  icon(svg`<path d="M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z"/>`);
export const exitFullscreenIcon = (): SVGTemplateResult =>
  icon(svg`<path d="M8 4h2v6H4V8h4zm6 0h2v4h4v2h-6zM4 14h6v6H8v-4H4zm10 0h6v2h-4v4h-2z"/>`);
export const pipIcon = (): SVGTemplateResult => icon(svg`<path d="M3 5h18v14H3zm2 2v10h14V7zm6 5h7v4h-7z"/>`);
export const checkIcon = (): SVGTemplateResult =>
  icon(svg`<path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z"/>`);
export const captionsIcon = (): SVGTemplateResult =>
  icon(
    svg`<path d="M19 4H5a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm-8 7H9.5v-.5h-2v3h2V13H11v1a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1zm7 0h-1.5v-.5h-2v3h2V13H18v1a1 1 0 0 1-1 1h-3a1 1 0 0 1-1-1v-4a1 1 0 0 1 1-1h3a1 1 0 0 1 1 1z"/>`,
  );
