import { css, nothing } from 'lit';
import { captionsIcon } from '../../elements/icons.js';
import type { ControlContext } from './player-actions.js';
import { rerenderOn } from './player-actions.js';
import { menu } from './player-menu.js';

const isCaptions = (t: TextTrack): boolean => t.kind === 'subtitles' || t.kind === 'captions';

/** The `<track>` copied into the video for each `<track>` child of the player. */
const copies = new WeakMap<HTMLTrackElement, HTMLTrackElement>();

/**
 * Mirrors the player's `<track>` children (subtitles, captions, the seek bar's thumbnails) into its video, where
 * the browser loads and shows them: the video is in the player's shadow root, the tracks are the page's. Called
 * when the children change; a track is read as it is when added.
 */
export function syncTracks(host: HTMLElement, video: HTMLVideoElement): void {
  const keep = new Set<Node>();
  for (const track of host.querySelectorAll<HTMLTrackElement>(':scope > track')) {
    let copy = copies.get(track);
    if (!copy) copies.set(track, (copy = track.cloneNode() as HTMLTrackElement));
    keep.add(copy);
    if (copy.parentNode !== video) video.append(copy);
  }
  for (const el of video.querySelectorAll('track')) if (!keep.has(el)) el.remove();
}

/**
 * Captions menu: Off and each subtitle or caption track of the video — the player's `<track>` children, an HLS
 * stream's subtitle renditions and its CEA-608 captions (hls.js adds those as text tracks and follows the one
 * shown). Shown only when there is a track.
 */
export function captionsMenu({ m, media }: ControlContext): unknown {
  const list = media.textTracks;
  rerenderOn(media, list, ['addtrack', 'removetrack', 'change']);
  const tracks = [...list].filter(isCaptions);
  if (!tracks.length) return nothing;
  const on = tracks.find((t) => t.mode === 'showing') ?? null;
  const show = (track: TextTrack | null): void => {
    for (const t of tracks) if (t !== track && t.mode === 'showing') t.mode = 'disabled';
    if (track) track.mode = 'showing';
  };
  return menu({
    name: 'captions-menu',
    label: m.captions,
    face: captionsIcon(),
    choices: [
      { label: m.captionsOff, checked: !on, choose: () => show(null) },
      ...tracks.map((t) => ({
        label: t.label || t.language || m.captions,
        checked: t === on,
        choose: () => show(t),
      })),
    ],
  });
}

/** Cues sit above the control bar while it shows (Chromium and Safari name the box that holds them). */
export const captionsStyles = css`
  video::-webkit-media-text-track-container {
    transition: transform 0.25s;
  }
  :host([controls]:not(:state(inactive))) video::-webkit-media-text-track-container {
    transform: translateY(-3em);
  }
`;
