/**
 * Camera and microphone: opening them, listing them, and noticing when they go away. Every failure becomes a
 * {@link RelayError} (module `camera`) whose message says what the user can do.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';

/** A selectable input device. */
export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface MediaChoice {
  /** `deviceId` of the camera, or `null`/empty for the default. Ignored when `audioOnly`. */
  cameraId?: string | null;
  /** `deviceId` of the microphone, or `null`/empty for the default. */
  micId?: string | null;
  audioOnly: boolean;
  /** Open the camera only (no microphone). */
  videoOnly?: boolean;
}

function deviceConstraint(id: string | null | undefined): MediaTrackConstraints | boolean {
  return id ? { deviceId: { exact: id } } : true;
}

/** Maps a `getUserMedia` rejection to `{ module: 'camera', code, message }`. */
export function mediaError(err: unknown, choice: Pick<MediaChoice, 'audioOnly' | 'videoOnly'>): RelayError {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  const what = choice.audioOnly ? 'microphone' : choice.videoOnly ? 'camera' : 'camera and microphone';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new RelayError(
        'camera',
        ErrorCodes.CAMERA_DENIED,
        `Access to the ${what} was denied. Allow it in the browser's site settings, then press Start again.`,
        { cause: err },
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new RelayError(
        'camera',
        ErrorCodes.DEVICE_NOT_FOUND,
        `No ${what} was found. Connect one (or pick another in the lists), then press Start again.`,
        { cause: err },
      );
    case 'NotReadableError':
    case 'AbortError':
      return new RelayError(
        'camera',
        ErrorCodes.DEVICE_NOT_FOUND,
        `The ${what} could not be opened; another application may be using it. Close it, then press Start again.`,
        { cause: err },
      );
    default:
      return new RelayError(
        'camera',
        ErrorCodes.DEVICE_NOT_FOUND,
        `The ${what} could not be opened (${err instanceof Error ? err.message : String(err)}).`,
        { cause: err },
      );
  }
}

/** Opens the chosen devices. Rejects with a {@link RelayError} (`CAMERA_DENIED`, `DEVICE_NOT_FOUND`, `UNSUPPORTED_BROWSER`). */
export async function openMedia(choice: MediaChoice): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new RelayError(
      'camera',
      ErrorCodes.UNSUPPORTED_BROWSER,
      'This page cannot use the camera: open it over https (or localhost) in a current browser.',
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: choice.videoOnly ? false : deviceConstraint(choice.micId),
      video: choice.audioOnly ? false : deviceConstraint(choice.cameraId),
    });
  } catch (err) {
    throw mediaError(err, choice);
  }
}

/**
 * Opens one device (a camera or microphone switch while live). Resolves with its track; rejects like
 * {@link openMedia}.
 */
export async function openTrack(kind: 'audio' | 'video', deviceId: string | null): Promise<MediaStreamTrack> {
  const stream = await openMedia(
    kind === 'video'
      ? { cameraId: deviceId, audioOnly: false, videoOnly: true }
      : { micId: deviceId, audioOnly: true },
  );
  return kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
}

/** Stops every track of a stream (turns the camera light off). */
export function closeMedia(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}

/** Cameras and microphones. Labels are empty until the page has been granted access once. */
export async function listDevices(): Promise<{ cameras: DeviceOption[]; mics: DeviceOption[] }> {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], mics: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind): DeviceOption[] =>
    devices
      .filter((d) => d.kind === kind && d.deviceId !== '')
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
  return { cameras: pick('videoinput'), mics: pick('audioinput') };
}

/** Calls `onChange` when devices are plugged or unplugged. Returns the unsubscribe function. */
export function watchDevices(onChange: () => void): () => void {
  const md = navigator.mediaDevices;
  if (!md?.addEventListener) return () => undefined;
  md.addEventListener('devicechange', onChange);
  return () => md.removeEventListener('devicechange', onChange);
}

/**
 * Calls `onLost` once when any track of `stream` ends by itself (device unplugged, permission revoked).
 * Returns the unsubscribe function; call it before stopping the tracks yourself.
 */
export function watchTracks(stream: MediaStream, onLost: (track: MediaStreamTrack) => void): () => void {
  let fired = false;
  const tracks = stream.getTracks();
  const handlers = tracks.map((track) => {
    const h = (): void => {
      if (fired) return;
      fired = true;
      onLost(track);
    };
    track.addEventListener('ended', h);
    return h;
  });
  return () => tracks.forEach((t, i) => t.removeEventListener('ended', handlers[i]));
}

/** The error reported when a track ends under a running push or preview. */
export function deviceLostError(track: MediaStreamTrack): RelayError {
  const what = track.kind === 'video' ? 'camera' : 'microphone';
  return new RelayError(
    'camera',
    ErrorCodes.DEVICE_LOST,
    `The ${what} stopped (unplugged or switched off). Reconnect it or pick another, then press Start again.`,
  );
}
