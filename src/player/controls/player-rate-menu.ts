import { nothing } from 'lit';
import type { ControlContext } from './player-actions.js';
import { rerenderOn } from './player-actions.js';
import { menu } from './player-menu.js';
import { canSeek } from './player-seek-bar.js';

/** Playback speeds offered (video.js's and TCPlayer's set). */
export const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;

/** Playback speed menu, for recordings only: a live stream plays at the speed it is made (the player chases its edge). */
export function rateMenu({ v, m, media }: ControlContext): unknown {
  if (v.live || !canSeek(v)) return nothing;
  rerenderOn(media, media, ['ratechange']);
  const rate = media.playbackRate;
  return menu({
    name: 'rate-menu',
    label: m.speed,
    face: `${rate}×`,
    buttonLabel: `${m.speed} ${rate}×`,
    choices: PLAYBACK_RATES.map((r) => ({
      label: r === 1 ? m.normalSpeed : `${r}×`,
      checked: r === rate,
      choose: () => (media.playbackRate = r),
    })),
  });
}
