/**
 * Validation of the REST bodies, following the push model (`docs/push-model.md`): recording rides on a
 * relay, MP3 only for audio-only pushes, the record id is a string (`^[A-Za-z0-9_-]{1,64}$`), unknown options are refused by name.
 */
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { ID_PATTERN } from '../../../src/contract/ids.ts';
import { HttpError, relayError } from '../../shared/http-error.ts';

export const RELAY_ENCODES = ['rtmp', 'hls', 'flv'] as const;
export type RelayEncode = (typeof RELAY_ENCODES)[number];
export const RECORD_FILE_TYPES = ['hls', 'flv', 'mp4', 'mp3'] as const;
export type RecordFileType = (typeof RECORD_FILE_TYPES)[number];

export interface CreateStreamOptions {
  streamId?: string;
  audioOnly: boolean;
}

export interface RelayOptions {
  encode: RelayEncode;
  recordFileTypes: RecordFileType[];
  recordId: string | null;
  audioOnly: boolean;
}

const STREAM_ID = ID_PATTERN;
const RECORD_ID = ID_PATTERN;

export function isValidStreamId(id: string): boolean {
  return STREAM_ID.test(id);
}

function invalid(message: string, code: string = ErrorCodes.INVALID_OPTIONS): HttpError {
  return relayError(400, code, message);
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function rejectUnknown(obj: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw invalid(
      `Unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${known.join(', ')}.`,
    );
  }
}

function optionalBoolean(obj: Record<string, unknown>, key: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`"${key}" must be true or false.`);
  return v;
}

/** `requireStreamId`: with push auth the credential is minted for a name, so the name must be given. */
export function parseCreateStream(body: unknown, requireStreamId = false): CreateStreamOptions {
  const obj = asObject(body);
  rejectUnknown(obj, ['streamId', 'audioOnly']);
  const { streamId } = obj;
  if (requireStreamId && streamId === undefined)
    throw invalid(
      '"streamId" is required: the push credential (txSecret, txTime) is minted for a stream id.',
    );
  if (streamId !== undefined && (typeof streamId !== 'string' || !isValidStreamId(streamId))) {
    throw invalid('"streamId" must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-".');
  }
  return { streamId: streamId as string | undefined, audioOnly: optionalBoolean(obj, 'audioOnly') ?? false };
}

/** `streamAudioOnly` is what the stream was created with; the relay may repeat it but not contradict it. */
export function parseRelayOptions(body: unknown, streamAudioOnly: boolean): RelayOptions {
  const obj = asObject(body);
  rejectUnknown(obj, ['encode', 'recordFileTypes', 'recordId', 'audioOnly']);
  const { encode, recordFileTypes, recordId } = obj;
  if (encode === undefined || encode === null || encode === 'none') {
    if (Array.isArray(recordFileTypes) && recordFileTypes.length > 0) {
      throw invalid(
        'Recording rides on a relay: give "encode" (rtmp, hls or flv) to record.',
        ErrorCodes.RECORD_WITHOUT_RELAY,
      );
    }
    throw invalid('"encode" is required: one of rtmp, hls, flv.');
  }
  if (typeof encode !== 'string' || !(RELAY_ENCODES as readonly string[]).includes(encode.toLowerCase())) {
    throw invalid(`"encode" must be one of rtmp, hls, flv (got ${JSON.stringify(encode)}).`);
  }
  const audioOnly = optionalBoolean(obj, 'audioOnly') ?? streamAudioOnly;
  if (audioOnly !== streamAudioOnly) {
    throw invalid(
      `"audioOnly" is ${audioOnly} but the stream was created with audioOnly=${streamAudioOnly}; create the stream with the same value.`,
    );
  }
  let types: RecordFileType[] = [];
  if (recordFileTypes !== undefined && recordFileTypes !== null) {
    if (!Array.isArray(recordFileTypes))
      throw invalid('"recordFileTypes" must be an array of hls, flv, mp4, mp3.');
    for (const t of recordFileTypes) {
      if (typeof t !== 'string' || !(RECORD_FILE_TYPES as readonly string[]).includes(t.toLowerCase())) {
        throw invalid(`Unknown record file type ${JSON.stringify(t)}; allowed: hls, flv, mp4, mp3.`);
      }
    }
    types = [...new Set(recordFileTypes.map((t: string) => t.toLowerCase() as RecordFileType))];
  }
  if (types.includes('mp3') && !audioOnly) {
    throw invalid(
      'MP3 recording is only for audio-only pushes (audioOnly: true).',
      ErrorCodes.MP3_REQUIRES_AUDIO_ONLY,
    );
  }
  // Record ids are strings like TRTC's userdefinerecordid (`meeting_42`); a JSON integer is still accepted.
  let rid: string | null = null;
  if (recordId !== undefined && recordId !== null) {
    const text =
      typeof recordId === 'number' && Number.isSafeInteger(recordId) && recordId >= 0
        ? String(recordId)
        : recordId;
    if (typeof text !== 'string' || !RECORD_ID.test(text)) {
      throw invalid(
        `"recordId" must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-" (got ${JSON.stringify(recordId)}).`,
        ErrorCodes.INVALID_RECORD_ID,
      );
    }
    rid = text;
  }
  return { encode: encode.toLowerCase() as RelayEncode, recordFileTypes: types, recordId: rid, audioOnly };
}
