// The relay's callback bodies against test/server/fixtures/tencent-callback-fields.json, field by field: every field
// Tencent sends (with its source), with Tencent's JSON type and meaning, and nothing Tencent does not send.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  pushStartEvent,
  recordFileEvent,
  streamEndEvent,
  streamParam,
  StreamEnd,
  type CallbackBody,
  type PushContext,
} from '../../../server/relay/callbacks/callbacks.ts';
import { RelayAuth } from '../../../server/relay/http/auth.ts';
import { txSign, txVerify } from '../../../server/shared/tx-secret.ts';
import { asNotification, recordIdOf } from '../../../server/receiver/notification.ts';
import type { FinishedFile } from '../../../server/relay/recordings/finished-files.ts';

interface FieldRule {
  type: 'string' | 'number';
  source: string;
  ours: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/tencent-callback-fields.json', import.meta.url), 'utf8'),
) as { sources: Record<string, string>; events: Record<'0' | '1' | '100', Record<string, FieldRule>> };

const PUSH_KEY = 'push-key-for-fields';
const STREAM = 'meeting42_alice';
const startedAt = 1_764_000_000_123;

/** A push as the registry describes it: created with a genuine push credential, relayed 4.321 s after creation. */
function push(credentialed: boolean, video = true): PushContext {
  const auth = new RelayAuth({ pushKey: PUSH_KEY });
  const stream = {};
  auth.bindOwner(stream, credentialed ? txSign(PUSH_KEY, STREAM, 1_764_003_600) : null);
  return {
    sequence: '1764000000123456789',
    appid: 1400188366,
    app: '127.0.0.1:8080',
    streamId: STREAM,
    recordId: 'meeting_42',
    recordFileTypes: ['mp4'],
    streamParam: streamParam('meeting_42', ['mp4'], auth.pushCredentialOf(stream)),
    baseUrl: 'http://127.0.0.1:8080',
    userIp: '127.0.0.1',
    startedAt,
    mediaStartTime: 4321,
    width: video ? 640 : 0,
    height: video ? 480 : 0,
  };
}
const file: FinishedFile = {
  fileId: '1764000009000123456',
  format: 'mp4',
  relPath: `${STREAM}/s1/${STREAM}.mp4`,
  startTime: 1_764_000_000,
  endTime: 1_764_000_009,
  startTimeUsec: 123_000,
  endTimeUsec: 456_000,
  duration: 9.1,
  fileSize: 123_456,
};
const bodies = (ctx: PushContext): Record<'0' | '1' | '100', CallbackBody> => ({
  1: pushStartEvent(ctx),
  0: streamEndEvent(ctx, startedAt + 9_000, StreamEnd.clientStopped()),
  100: recordFileEvent(ctx, file, `http://127.0.0.1:8080/recordings/${file.relPath}`),
});

test('every field of events 1, 0 and 100 is the one Tencent documents, with its JSON type, and no other', () => {
  const ours = bodies(push(true));
  for (const type of ['1', '0', '100'] as const) {
    const rules = fixture.events[type];
    for (const [field, rule] of Object.entries(rules)) {
      assert.ok(
        rule.source.split(' + ').every((s) => s.split(' ')[0] in fixture.sources),
        `event ${type} "${field}" names a listed source`,
      );
      if (rule.ours.startsWith('outbox')) {
        assert.ok(!(field in ours[type]), `"${field}" is added by the outbox on each attempt, not stored`);
        continue;
      }
      assert.ok(
        field in ours[type],
        `event ${type} lacks "${field}" (${fixture.sources[rule.source.split(' ')[0]]})`,
      );
      assert.equal(typeof ours[type][field], rule.type, `event ${type} "${field}" is a ${rule.type}`);
    }
    for (const field of Object.keys(ours[type])) {
      assert.ok(field in rules, `event ${type} has "${field}", which no Tencent source lists`);
    }
  }
});

test('values as Tencent gives them meaning: set_id, task_id, record_bps, record_temp_id, callback_ext, media_start_time', () => {
  const { 1: start, 0: end, 100: rec } = bodies(push(true));
  assert.equal(start.set_id, 2);
  assert.equal(end.set_id, 2);
  assert.equal(rec.task_id, start.sequence, 'one recording task per push');
  assert.equal(rec.record_bps, 0, 'the original stream is recorded, not a transcode');
  assert.equal(rec.record_temp_id, '0');
  assert.equal(rec.media_start_time, 4321);
  // Same keys, same order as the 2025 capture: {"video_codec":"h264","session_id":"…","resolution":"1920x1080"}.
  assert.deepEqual(Object.keys(JSON.parse(String(rec.callback_ext))), [
    'video_codec',
    'session_id',
    'resolution',
  ]);
  assert.deepEqual(JSON.parse(String(rec.callback_ext)), {
    video_codec: 'h264',
    session_id: rec.task_id,
    resolution: '640x480',
  });
  const audioOnly = bodies(push(true, false))[100];
  assert.deepEqual(JSON.parse(String(audioOnly.callback_ext)), { session_id: audioOnly.task_id });
});

test("stream_param is the push URL's query as Tencent reports it: the push credential first, and the record id reads back", () => {
  const { 1: start, 0: end, 100: rec } = bodies(push(true));
  for (const body of [start, end, rec]) {
    const param = String(body.stream_param);
    assert.match(
      param,
      /^txSecret=[0-9a-f]{32}&txTime=[0-9A-F]{8}&record=mp4&userdefinerecordid=meeting_42$/,
    );
    const q = new URLSearchParams(param);
    // The genuine credential the stream was created with: it verifies against the push key, as Tencent's would.
    assert.equal(txVerify(PUSH_KEY, STREAM, q.get('txSecret'), q.get('txTime'), 1_764_000_000, 0), null);
    // The receiver's record-id fallback finds the record id in it, on events that carry no userdefinerecordid.
    assert.equal(recordIdOf(asNotification({ ...body })), 'meeting_42');
  }
  assert.ok(!('userdefinerecordid' in start) && !('userdefinerecordid' in end));
  // Without push auth there is no credential to report, as for a Tencent push without anti-leech.
  assert.equal(bodies(push(false))[1].stream_param, 'record=mp4&userdefinerecordid=meeting_42');
});
