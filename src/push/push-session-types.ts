/**
 * The contract between `PushSession` (`push-session.ts`) and its host (`<live-push-controls>`): what the session reports, what a
 * start asks for and which devices it opens. Types only, so the host imports them without the session's code.
 */
import type { LivePushStartedDetail, PushState } from '../contract/events.js';
import type { RelayErrorInfo } from '../contract/types.js';
import type { DeviceOption } from './media.js';
import type { PushOptionsInput } from './options.js';
import type { createPushProvider, PushProviderConfig } from './provider.js';

export interface PushSessionListener {
  /** Every state change (`idle`, `previewing`, `starting`, `live`, `stopping`, `error`). */
  onState(state: PushState): void;
  /** The preview stream changed (opened, closed, a device switched); `null` when the camera is off. */
  onMedia(media: MediaStream | null): void;
  /** The push went live. */
  onStarted(live: LivePushStartedDetail): void;
  /** A push that went live ended; `reason` is `stopped`, `disconnected` or the error code that ended it. */
  onStopped(streamId: string, reason: string): void;
  /** Every failure (bad options, camera, backend), already shaped as `{ module, code, message }`. */
  onError(info: RelayErrorInfo): void;
  /** Cameras and microphones (after access was granted the labels are filled in). */
  onDevices?(cameras: DeviceOption[], mics: DeviceOption[]): void;
  /** Each second while live: the whole seconds since the push went live (`PushSession.elapsed`). */
  onElapsed?(seconds: number): void;
}

/** What a start needs from the page: which backend, its configuration, and the loose push options. */
export interface PushRequest {
  provider: string;
  config: PushProviderConfig;
  options: PushOptionsInput;
}

/** The devices to open: ids (empty = the default device) and whether the camera is off (audio-only). */
export interface DeviceChoice {
  cameraId: string;
  micId: string;
  audioOnly: boolean;
}

/** Creates a provider by its registered name: `createPushProvider` of `provider.ts`. */
export type CreatePushProvider = typeof createPushProvider;
