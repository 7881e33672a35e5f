/**
 * What `<live-push-controls>` lets a person do in each push state and with each provider: which controls are
 * locked, which buttons are offered, which recording boxes can be ticked and what explains them. The element
 * renders these answers; it names no state or provider itself.
 */
import type { PushState } from '../contract/events.js';
import { RECORD_FILE_TYPES, type RecordFileType } from '../contract/types.js';
import type { PushProviderCapabilities } from './provider.js';

export interface ControlsState {
  /** Options, Start and the audio-only switch are locked (starting, live or stopping). */
  locked: boolean;
  /** Stop is offered (live, or a start to cancel). */
  canStop: boolean;
  /** The camera button: turn it `on`, turn it `off`, or none while a push runs. */
  camera: 'on' | 'off' | null;
}

export function controlsState(state: PushState, previewing: boolean): ControlsState {
  const locked = state === 'starting' || state === 'live' || state === 'stopping';
  return {
    locked,
    canStop: state === 'live' || state === 'starting',
    camera: locked ? null : previewing ? 'off' : 'on',
  };
}

/** Why a recording box is as it is: the id of the hint that describes it. */
export type RecordHint = 'record-hint' | 'mp3-hint' | 'template-hint';

/**
 * The recording box for `type`: disabled while locked; MP3 only for an audio-only push; the others only when the
 * browser chooses the file types (not with a backend whose own template decides).
 */
export function recordBox(
  type: RecordFileType,
  locked: boolean,
  audioOnly: boolean,
  caps: PushProviderCapabilities,
): { disabled: boolean; hint: RecordHint } {
  if (type === 'mp3') return { disabled: locked || !audioOnly, hint: 'mp3-hint' };
  return caps.chooseRecordFormats
    ? { disabled: locked, hint: 'record-hint' }
    : { disabled: true, hint: 'template-hint' };
}

/** The recording types after ticking (`on`) or clearing `type`, in canonical order. */
export function toggleRecordFileType(types: readonly string[], type: string, on: boolean): RecordFileType[] {
  const set = new Set(types);
  if (on) set.add(type);
  else set.delete(type);
  return RECORD_FILE_TYPES.filter((t) => set.has(t));
}
