/**
 * The push options of the relay model (`docs/push-model.md`), validated in this one place.
 *
 * A page, an attribute or a form hands in loose values ({@link PushOptionsInput}); {@link validatePushOptions}
 * either returns clean {@link PushOptions} or throws a {@link RelayError} with a stable code saying what to fix.
 * Providers and the element never re-check these rules.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import { ID_PATTERN } from '../contract/ids.js';
import {
  RECORD_FILE_TYPES,
  RELAY_ENCODES,
  type RecordFileType,
  type RelayEncode,
} from '../contract/types.js';

/**
 * Record ids are strings, as TRTC's `userDefineRecordId` (`userdefinerecordid` in the callbacks, e.g.
 * `meeting_42`): letters, digits, `_` and `-`, at most 64 characters — the rule trtc-js-sdk 4.15 itself applies.
 */
export const RECORD_ID = ID_PATTERN;

/** Stream ids travel in URLs and file names: letters, digits, `_` and `-`, at most 64 characters. */
export const STREAM_ID = ID_PATTERN;

/** Options a push starts with, already checked. */
export interface PushOptions {
  /** Relay protocol. */
  encode: RelayEncode;
  /** Files recorded while the relay runs; empty = no recording. Unique, in canonical order. */
  recordFileTypes: RecordFileType[];
  /** Tag carried by the recordings (matches {@link RECORD_ID}), or `null`. */
  recordId: string | null;
  /** Push the microphone only (no camera). */
  audioOnly: boolean;
  /** Stream id to ask the backend for, or `null` to let it choose. */
  streamId: string | null;
}

/** Loose input, as attributes and forms provide it. */
export interface PushOptionsInput {
  encode?: string | null;
  recordFileTypes?: readonly string[] | string | null;
  recordId?: number | string | null;
  audioOnly?: boolean | null;
  streamId?: string | null;
}

function invalid(code: string, message: string): RelayError {
  return new RelayError('push', code, message);
}

/**
 * Parses the `record-file-types` attribute: a comma- or space-separated list (`"hls,flv,mp4"`), or `"none"` /
 * empty for no recording. Case-insensitive; duplicates are dropped. Unknown names are kept so that validation
 * can name them.
 */
export function parseRecordFileTypes(value: string | null | undefined): string[] {
  if (value == null) return [];
  const parts = value
    .split(/[\s,]+/)
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '' && p !== 'none');
  return [...new Set(parts)];
}

/** The attribute form of a record file type list (`"none"` when empty). */
export function formatRecordFileTypes(types: readonly string[]): string {
  return types.length === 0 ? 'none' : types.join(',');
}

function normaliseRecordId(value: number | string | null | undefined): string | null {
  if (value == null) return null;
  // A number is accepted for pages written when record ids were integers; it is used as its decimal string.
  const text =
    typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : String(value).trim();
  if (text === '') return null;
  if (!RECORD_ID.test(text)) {
    throw invalid(
      ErrorCodes.INVALID_RECORD_ID,
      `The record id "${String(value)}" is not allowed. Use up to 64 letters, digits, "_" or "-" (for example meeting_42).`,
    );
  }
  return text;
}

/**
 * Checks loose options against the model's rules and returns clean ones. Throws a {@link RelayError}
 * (module `push`) with one of `INVALID_OPTIONS`, `RECORD_WITHOUT_RELAY`, `MP3_REQUIRES_AUDIO_ONLY`,
 * `INVALID_RECORD_ID`.
 */
export function validatePushOptions(input: PushOptionsInput): PushOptions {
  const audioOnly = input.audioOnly === true;
  const rawTypes =
    typeof input.recordFileTypes === 'string'
      ? parseRecordFileTypes(input.recordFileTypes)
      : [...new Set((input.recordFileTypes ?? []).map((t) => t.trim().toLowerCase()))].filter(
          (t) => t !== '' && t !== 'none',
        );
  const unknown = rawTypes.filter((t) => !(RECORD_FILE_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw invalid(
      ErrorCodes.INVALID_OPTIONS,
      `Unknown recording type "${unknown.join(', ')}". Choose from ${RECORD_FILE_TYPES.join(', ')}, or none.`,
    );
  }
  const recordFileTypes = RECORD_FILE_TYPES.filter((t) => rawTypes.includes(t));

  const encodeRaw = (input.encode ?? '').trim().toLowerCase();
  if (encodeRaw === '' || encodeRaw === 'none') {
    if (recordFileTypes.length > 0) {
      throw invalid(
        ErrorCodes.RECORD_WITHOUT_RELAY,
        'Recording rides on a relay push: choose a relay protocol (RTMP, HLS or FLV) or turn recording off.',
      );
    }
    throw invalid(ErrorCodes.INVALID_OPTIONS, 'Choose a relay protocol: RTMP, HLS or FLV.');
  }
  if (!(RELAY_ENCODES as readonly string[]).includes(encodeRaw)) {
    throw invalid(
      ErrorCodes.INVALID_OPTIONS,
      `Unknown relay protocol "${input.encode ?? ''}". Choose RTMP, HLS or FLV.`,
    );
  }
  const encode = encodeRaw as RelayEncode;

  if (recordFileTypes.includes('mp3') && !audioOnly) {
    throw invalid(
      ErrorCodes.MP3_REQUIRES_AUDIO_ONLY,
      'MP3 recording is only for audio-only pushes: switch audio-only on, or record HLS, FLV or MP4.',
    );
  }

  const recordId = normaliseRecordId(input.recordId);

  const streamIdRaw = input.streamId?.trim() ?? '';
  if (streamIdRaw !== '' && !STREAM_ID.test(streamIdRaw)) {
    throw invalid(
      ErrorCodes.INVALID_OPTIONS,
      `The stream id "${streamIdRaw}" is not allowed. Use up to 64 letters, digits, "_" or "-".`,
    );
  }

  return { encode, recordFileTypes, recordId, audioOnly, streamId: streamIdRaw === '' ? null : streamIdRaw };
}
