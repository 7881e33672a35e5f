import type { ControlContext } from './player-actions.js';
import { SEEK_STEP_S, canSeek } from './player-seek-bar.js';

/**
 * Keyboard shortcuts while focus is in the player (media-chrome's set): Space or K play/pause, F full screen,
 * M mute, ←/→ seek 5 s in recordings. Keys with a modifier, and keys the focused control uses itself (Space and
 * Enter on a button, anything in a slider or a menu), are left alone. Returns true when the key was used.
 */
export function handleShortcut(e: KeyboardEvent, { v, act }: ControlContext): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return false;
  const target = e.composedPath()[0];
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return false;
  const onButton = target instanceof HTMLButtonElement;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  switch (key) {
    case ' ':
    case 'k':
      if (onButton && key === ' ') return false;
      if (v.hasInput) act.togglePlay();
      break;
    case 'f':
      act.toggleFullscreen();
      break;
    case 'm':
      act.toggleMute();
      break;
    case 'ArrowLeft':
    case 'ArrowRight':
      if (!canSeek(v)) return false;
      act.seek(
        Math.min(v.duration, Math.max(0, v.time + (key === 'ArrowLeft' ? -SEEK_STEP_S : SEEK_STEP_S))),
      );
      break;
    default:
      return false;
  }
  e.preventDefault();
  return true;
}
