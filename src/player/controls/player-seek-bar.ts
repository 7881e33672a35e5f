import { css, html, nothing } from 'lit';
import { format } from '../../i18n/index.js';
import type { ControlContext, PlayerMedia } from './player-actions.js';
import { seekThumbnails, showThumbnail } from './player-seek-thumbnails.js';
import type { ViewState } from '../view-state.js';

/** Seconds moved by ←/→ (on the seek bar, and as player shortcuts) and by Page Up/Down. */
export const SEEK_STEP_S = 5;
const PAGE_STEP_S = 30;

/** `m:ss` or `h:mm:ss`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** True for a recording the viewer can move around in (finite, known length). */
export function canSeek(v: ViewState): boolean {
  return Number.isFinite(v.duration) && v.duration > 0;
}

const keySteps: Record<string, number> = {
  ArrowLeft: -SEEK_STEP_S,
  ArrowDown: -SEEK_STEP_S,
  ArrowRight: SEEK_STEP_S,
  ArrowUp: SEEK_STEP_S,
  PageDown: -PAGE_STEP_S,
  PageUp: PAGE_STEP_S,
};

/** A live window at least this long (seconds) gets a seek bar (DVR): seek back inside it, then "Go to live". */
export const DVR_MIN_S = 15;

/**
 * What the seek bar covers: a recording from 0 to its end, a live window (HLS DVR) from its oldest part to its
 * edge; null when there is nothing to move around in.
 */
export function seekRange(v: ViewState, media: PlayerMedia): [number, number] | null {
  if (canSeek(v)) return [0, v.duration];
  const s = media.seekable;
  if (!v.live || !s.length) return null;
  const start = s.start(0);
  const end = s.end(s.length - 1);
  return end - start >= DVR_MIN_S ? [start, end] : null;
}

/** Keys the seek bar handles itself (the player's shortcuts leave them alone while it has focus). */
function onKey(e: KeyboardEvent, v: ViewState, [min, max]: [number, number], ctx: ControlContext): void {
  const step = keySteps[e.key];
  const to = e.key === 'Home' ? min : e.key === 'End' ? max : step !== undefined ? v.time + step : null;
  if (to === null) return;
  e.preventDefault();
  e.stopPropagation();
  const time = Math.min(max, Math.max(min, to));
  ctx.act.seek(time);
  showThumbnail(ctx.media, e.currentTarget as HTMLInputElement, time, clock);
}

/**
 * Seek bar (played and buffered ranges, thumbnails when the player has a thumbnails track) and time display, for
 * recordings and for live windows long enough to seek back in (the time then says how far behind live).
 */
export function seekBar(ctx: ControlContext): unknown {
  const { v, m, act, media } = ctx;
  const range = seekRange(v, media);
  if (!range) return nothing;
  const [min, max] = range;
  const pct = (x: number): string => `${(((Math.min(x, max) - min) / (max - min)) * 100).toFixed(2)}%`;
  const time = clock(v.time);
  const duration = clock(Math.round(v.duration));
  const behind = `-${clock(max - v.time)}`;
  const thumbs = seekThumbnails(media, clock);
  return html`<input
      part="seek-bar"
      type="range"
      min=${min}
      max=${max}
      step="any"
      .value=${String(v.time)}
      aria-label=${m.seek}
      aria-valuetext=${v.live ? format(m.behindLive, { time: behind.slice(1) }) : format(m.timeOf, { time, duration })}
      style="--_played:${pct(v.time)};--_buffered:${pct(v.bufferedEnd)}"
      @input=${(e: Event) => act.seek(Number((e.target as HTMLInputElement).value))}
      @keydown=${(e: KeyboardEvent) => onKey(e, v, range, ctx)}
      @pointermove=${thumbs.move}
      @pointerleave=${thumbs.hide}
      @focus=${thumbs.focus}
      @blur=${thumbs.hide}
    />${thumbs.box}<span part="time" aria-hidden="true">${v.live ? behind : `${time} / ${duration}`}</span>`;
}

export const seekBarStyles = css`
  [part='seek-bar'] {
    flex: 1;
    min-width: 4em;
    margin: 0;
    height: 1.5em;
    background: transparent;
    appearance: none;
    cursor: pointer;
    --_track: linear-gradient(
      to right,
      var(--relay-player-seek-played, var(--_accent)) var(--_played),
      var(--relay-player-seek-buffered, rgb(255 255 255 / 0.55)) var(--_played) var(--_buffered),
      rgb(255 255 255 / 0.25) var(--_buffered)
    );
  }
  [part='seek-bar']::-webkit-slider-runnable-track {
    height: 4px;
    border-radius: 2px;
    background: var(--_track);
  }
  [part='seek-bar']::-moz-range-track {
    height: 4px;
    border-radius: 2px;
    background: var(--_track);
  }
  [part='seek-bar']::-webkit-slider-thumb {
    appearance: none;
    width: 12px;
    height: 12px;
    margin-top: -4px;
    border-radius: 50%;
    background: var(--relay-color-text, #fff);
  }
  [part='time'] {
    font-size: 0.8125em;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
`;
