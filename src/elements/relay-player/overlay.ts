import { html, nothing } from 'lit';
import { format, type Messages } from '../../i18n/index.js';
import type { PlayerSnapshot } from '../../player/session/live-session.js';
import { mutedIcon, playIcon } from '../icons.js';

/** What the overlay needs besides the session's snapshot: the element's inputs and what a press does. */
export interface OverlayInput {
  m: Messages['player'];
  /** Something can be played (a source, or a followed push that is live). */
  hasInput: boolean;
  /** Following a producer (`for`): with nothing to play yet, it waits for the broadcast. */
  following: boolean;
  /** The media itself reached its end (a recording); otherwise `ended` is a live broadcast's end. */
  mediaEnded: boolean;
  muted: boolean;
  play(): void;
  retry(): void;
  unmute(): void;
}

/** The placeholder text, if any: the broadcast ended, is awaited, or a recording is to be picked. */
function placeholderOf(s: PlayerSnapshot, o: OverlayInput): string | null {
  const m = o.m;
  if (s.state === 'ended' && !o.mediaEnded) return m.broadcastEnded;
  if (s.state === 'idle' && !o.hasInput) return o.following ? m.waitingBroadcast : m.pickRecording;
  return null;
}

/** The state in words, for the `aria-live` status (and the control bar). */
export function statusText(s: PlayerSnapshot, o: OverlayInput): string {
  const m = o.m;
  return s.state === 'playing' && s.protocol
    ? `${m.states.playing} · ${format(m.via, { protocol: s.protocol.toUpperCase() })}`
    : (placeholderOf(s, o) ?? m.states[s.state]);
}

/**
 * The centred layer over the video (spinner, placeholder, the big play button, the error and its Retry) and the
 * Unmute button after muted autoplay: all drawn from the session's snapshot.
 */
export function overlay(s: PlayerSnapshot, o: OverlayInput): unknown {
  const { m, hasInput } = o;
  const st = s.state;
  const busy = st === 'loading' || st === 'waiting' || st === 'reconnecting';
  const err = s.error;
  const errText = err ? ((m.errors as Record<string, string>)[err.code] ?? m.errors.generic) : '';
  const showPlay = st !== 'error' && (s.needsPress || ((st === 'idle' || st === 'paused') && hasInput));
  const placeholder = placeholderOf(s, o);
  return html`<div part="overlay">
      ${busy ? html`<div class="spinner" role="presentation"></div>` : nothing}
      ${placeholder ? html`<div part="placeholder" aria-hidden="true">${placeholder}</div>` : nothing}
      ${
        showPlay
          ? html`<button part="play-button" type="button" @click=${o.play}>${playIcon()} ${m.play}</button>`
          : nothing
      }
      ${
        err
          ? html`<div part="error" role="alert">${errText}<br /><small>${err.message}</small></div>
              <button part="play-button" type="button" @click=${o.retry}>${m.retry}</button>`
          : nothing
      }
    </div>
    ${
      s.mutedByAutoplay && o.muted
        ? html`<button part="unmute-button" type="button" title=${m.mutedAutoplay} @click=${o.unmute}>
            ${mutedIcon()} ${m.unmute}
          </button>`
        : nothing
    }`;
}
