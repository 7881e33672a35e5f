import { css, html, nothing } from 'lit';
import type { PlayerMedia } from './player-actions.js';

/**
 * Seek-bar thumbnails from a WebVTT track, as video.js and media-chrome take them: a `<track kind="metadata"
 * label="thumbnails" src="thumbs.vtt">` child of the player whose cues' text is an image, usually a tile of a
 * sprite (`sprite.jpg#xywh=x,y,w,h`, relative to the VTT file). Shown above the bar while the pointer is over it,
 * and while it has keyboard focus.
 */
const SELECTOR = ':scope > track[kind=metadata][label=thumbnails]';

/** The thumbnails track of the player's video (set to load its cues), or null. */
function thumbnails(media: PlayerMedia): TextTrack | null {
  const track = [...media.textTracks].find((t) => t.kind === 'metadata' && t.label === 'thumbnails') ?? null;
  if (track?.mode === 'disabled') track.mode = 'hidden';
  return track;
}

/** The picture for `time`: an image URL and the tile in it (the whole image without `#xywh`). */
export function thumbnailAt(
  cues: ArrayLike<TextTrackCue>,
  time: number,
  base: string,
): { url: string; x: number; y: number; w: number; h: number } | null {
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i] as VTTCue;
    if (time < cue.startTime || time >= cue.endTime) continue;
    const [href, frag] = cue.text.trim().split('#xywh=');
    const [x = 0, y = 0, w = 0, h = 0] = (frag ?? '').split(',').map(Number);
    return { url: new URL(href!, base).href, x, y, w, h };
  }
  return null;
}

/** How the preview writes its time (the seek bar's clock). */
export type TimeLabel = (seconds: number) => string;

/** Shows the thumbnail of `time` above `bar` (the seek range), at the place of that time; hides it for null. */
export function showThumbnail(
  media: PlayerMedia,
  bar: HTMLInputElement,
  time: number | null,
  label: TimeLabel,
): void {
  const box = bar.parentElement?.querySelector<HTMLElement>('[part~="seek-thumbnail"]');
  const track = box && thumbnails(media);
  const duration = Number(bar.max);
  const base = media.querySelector<HTMLTrackElement>(SELECTOR)?.src || document.baseURI;
  const tile = track?.cues && time !== null ? thumbnailAt(track.cues, time, base) : null;
  if (!box || !tile || !(duration > 0)) {
    if (box) box.hidden = true;
    return;
  }
  const pic = box.firstElementChild as HTMLElement;
  pic.style.cssText = tile.w
    ? `width:${tile.w}px;height:${tile.h}px;background:url("${tile.url}") -${tile.x}px -${tile.y}px`
    : `width:8em;aspect-ratio:16/9;background:url("${tile.url}") center/cover`;
  (box.lastElementChild as HTMLElement).textContent = label(time!);
  box.hidden = false;
  // centred over the time it shows, inside the control bar
  const at = bar.offsetLeft + 6 + ((bar.offsetWidth - 12) * Math.min(time!, duration)) / duration;
  const room = (box.offsetParent as HTMLElement | null)?.clientWidth ?? Infinity;
  box.style.left = `${Math.max(0, Math.min(room - box.offsetWidth, at - box.offsetWidth / 2))}px`;
}

/** The time under the pointer on the seek range (its track is inset by half of the 12 px thumb). */
function timeAt(bar: HTMLInputElement, clientX: number): number {
  const r = bar.getBoundingClientRect();
  const f = Math.min(1, Math.max(0, (clientX - r.left - 6) / (r.width - 12)));
  return f * Number(bar.max);
}

/** The preview box and the seek range's handlers that drive it; nothing when there is no thumbnails track. */
export function seekThumbnails(
  media: PlayerMedia,
  label: TimeLabel,
): {
  box: unknown;
  move?: (e: PointerEvent) => void;
  focus?: (e: FocusEvent) => void;
  hide?: (e: Event) => void;
} {
  if (!thumbnails(media)) return { box: nothing };
  const bar = (e: Event) => e.currentTarget as HTMLInputElement;
  return {
    box: html`<div part="seek-thumbnail" hidden aria-hidden="true">
      <div></div>
      <span></span>
    </div>`,
    move: (e) => showThumbnail(media, bar(e), timeAt(bar(e), e.clientX), label),
    focus: (e) =>
      bar(e).matches(':focus-visible') && showThumbnail(media, bar(e), Number(bar(e).value), label),
    // leaving with the pointer keeps the keyboard's preview
    hide: (e) =>
      (e.type !== 'pointerleave' || !bar(e).matches(':focus-visible')) &&
      showThumbnail(media, bar(e), null, label),
  };
}

export const seekThumbnailStyles = css`
  [part~='seek-thumbnail'] {
    position: absolute;
    bottom: 100%;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 0.15em;
    padding: 2px;
    font-size: 0.75em;
    font-variant-numeric: tabular-nums;
    background: rgb(0 0 0 / 0.8);
    border-radius: var(--_radius);
    pointer-events: none;
  }
  [part~='seek-thumbnail'][hidden] {
    display: none;
  }
`;
