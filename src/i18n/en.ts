/**
 * English labels. Each element owns one section; add keys to your section only.
 * `zh-CN.ts` must have exactly the same keys (the type below enforces it).
 */
export const en = {
  player: {
    region: 'Live player',
  },
  push: {
    region: 'Live push controls',
    preview: 'Camera preview',
    camera: 'Camera',
    microphone: 'Microphone',
    defaultDevice: 'Default',
    audioOnly: 'Audio only',
    cameraOn: 'Turn camera on',
    cameraOff: 'Turn camera off',
    encode: 'Relay protocol',
    record: 'Recording',
    recordNone: 'Nothing is recorded unless a type is ticked.',
    mp3Hint: 'MP3 is for audio-only pushes.',
    recordId: 'Record id',
    recordIdHint: 'A whole number that tags the recordings (optional).',
    start: 'Start',
    stop: 'Stop',
    elapsed: 'Live for {time}',
    urls: 'Play URLs',
    copy: 'Copy {encode} URL',
    copied: '{encode} URL copied',
    copyFailed: 'Could not copy; select the URL and copy it by hand.',
    states: {
      idle: 'Not live',
      previewing: 'Camera on, not live',
      starting: 'Starting…',
      live: 'Live',
      stopping: 'Stopping…',
      error: 'Stopped by an error',
    },
    errors: {
      generic: 'Something went wrong.',
      INVALID_OPTIONS: 'These options cannot be used.',
      RECORD_WITHOUT_RELAY: 'Recording needs a relay protocol.',
      MP3_REQUIRES_AUDIO_ONLY: 'MP3 recording needs audio-only.',
      INVALID_RECORD_ID: 'The record id must be a whole number.',
      CAMERA_DENIED: 'Camera access was denied.',
      DEVICE_NOT_FOUND: 'The camera or microphone is not available.',
      DEVICE_LOST: 'The camera or microphone stopped.',
      BACKEND_UNREACHABLE: 'The relay cannot be reached.',
      BACKEND_REJECTED: 'The relay refused the request.',
      INGEST_FAILED: 'The connection to the relay was lost.',
      START_PUBLISH_CDN_FAILED: 'The CDN relay did not start.',
      STOP_PUBLISH_CDN_FAILED: 'The CDN relay did not stop cleanly.',
      SIG_UNAVAILABLE: 'No UserSig is available.',
      PROVIDER_UNKNOWN: 'Unknown push provider.',
      UNSUPPORTED_BROWSER: 'This browser cannot push.',
    },
  },
  recordings: {
    region: 'Recordings',
  },
};

export type Messages = typeof en;
