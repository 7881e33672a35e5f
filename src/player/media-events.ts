/**
 * The events a media element fires, which `<relay-player>` re-fires from itself (not bubbling, like a real
 * `<video>`) so that media UIs such as media-chrome can listen on it.
 */
export const MEDIA_EVENTS = [
  'loadstart',
  'progress',
  'suspend',
  'abort',
  'emptied',
  'stalled',
  'loadedmetadata',
  'loadeddata',
  'canplay',
  'canplaythrough',
  'playing',
  'waiting',
  'seeking',
  'seeked',
  'ended',
  'durationchange',
  'timeupdate',
  'play',
  'pause',
  'ratechange',
  'resize',
  'volumechange',
  'enterpictureinpicture',
  'leavepictureinpicture',
] as const;
export type MediaEventType = (typeof MEDIA_EVENTS)[number];

/**
 * Re-fires `media`'s events on `host` as new non-bubbling events, except those `skip` drops (the transient
 * `emptied`/`pause` of a reconnect, for example). Stops with `signal`.
 */
export function forwardMediaEvents(
  media: HTMLMediaElement,
  host: EventTarget,
  skip: (type: MediaEventType) => boolean,
  signal: AbortSignal,
): void {
  for (const type of MEDIA_EVENTS) {
    media.addEventListener(type, () => skip(type) || host.dispatchEvent(new Event(type)), { signal });
  }
}
