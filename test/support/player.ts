// <relay-player> test helpers shared by the player's test files.
import { expect, fixture, html } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type {
  RelayPlayerErrorDetail,
  RelayPlayerFallbackDetail,
  RelayPlayerStateDetail,
} from '../../src/contract/events.js';
import { until } from './until.js';

export interface Recorded {
  states: RelayPlayerStateDetail[];
  fallbacks: RelayPlayerFallbackDetail[];
  errors: RelayPlayerErrorDetail[];
}

export function record(el: HTMLElement): Recorded {
  const r: Recorded = { states: [], fallbacks: [], errors: [] };
  el.addEventListener('relay-player-state', (e) => r.states.push(e.detail));
  el.addEventListener('relay-player-fallback', (e) => r.fallbacks.push(e.detail));
  el.addEventListener('relay-player-error', (e) => r.errors.push(e.detail));
  return r;
}

/** Creates a detached player, subscribes to its events, then connects it (so no event is missed). */
export async function mount(attrs: Record<string, string | true>, props: Partial<RelayPlayer> = {}) {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  const el = document.createElement('relay-player');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v === true ? '' : v);
  Object.assign(el, props);
  const rec = record(el);
  host.append(el);
  await el.updateComplete;
  return { el, rec };
}

/** Presses the centre of `target` with the real mouse, as a viewer does (the page, not the element, decides who
 * gets it). */
export async function pressCentre(target: Element): Promise<void> {
  const r = target.getBoundingClientRect();
  expect(r.width * r.height, 'something to press').to.be.above(0);
  await sendMouse({
    type: 'click',
    position: [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)],
  });
}

/** A viewer sees the picture move: time advances by `seconds` while playing. */
export async function seesPlayback(el: RelayPlayer, seconds = 1): Promise<void> {
  const video = el.media!;
  await until('playback to start', () => video.currentTime > 0 && !video.paused);
  const t0 = video.currentTime;
  await until(`currentTime to advance ${seconds}s past ${t0}`, () => video.currentTime >= t0 + seconds);
}

/** Applies Chromium's autoplay policy by hand (this test browser allows everything): `play()` is refused with
 * NotAllowedError while there is sound (`allowMuted`) or always, until a user press (`el.play()`). */
export function enforceAutoplayPolicy(el: RelayPlayer, allowMuted: boolean): void {
  const video = el.media!;
  const realPlay = video.play.bind(video);
  let pressed = false;
  const realElPlay = el.play.bind(el);
  el.play = () => {
    pressed = true;
    return realElPlay();
  };
  video.play = () =>
    pressed || (allowMuted && video.muted)
      ? realPlay()
      : Promise.reject(
          new DOMException('play() failed because the user did not interact', 'NotAllowedError'),
        );
}
