import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  asNotification,
  identityOf,
  isWebUrl,
  recordIdOf,
  recordingOf,
  toStored,
} from '../../../server/receiver/notification.ts';
import { recordingNotification, REFERENCE_RECORDING } from './receiver-process.ts';

test('a recording is identified by record_file_id (or file_id), whatever its t and sign', () => {
  const a = asNotification({ ...recordingNotification('f1'), t: 1, sign: 'a' });
  const b = asNotification({ ...recordingNotification('f1'), t: 2, sign: 'b', duration: 64 });
  assert.equal(identityOf(a), '100:f1');
  assert.equal(identityOf(b), '100:f1');
  const fileIdOnly = asNotification({ event_type: 100, file_id: 'f2' });
  assert.equal(identityOf(fileIdOnly), '100:f2');
});

test('stream events are identified by stream and sequence', () => {
  assert.equal(identityOf(asNotification({ event_type: 1, stream_id: 's', sequence: '77' })), '1:s:77');
  assert.equal(identityOf(asNotification({ event_type: 0, stream_id: 's', sequence: 77 })), '0:s:77');
});

test('other events are identified by their content without t and sign, independent of key order', () => {
  const x = asNotification({ event_type: 200, pic_url: '/a.jpg', stream_id: 's', t: 1, sign: 'q' });
  const y = asNotification({ stream_id: 's', sign: 'z', pic_url: '/a.jpg', t: 9, event_type: 200 });
  const z = asNotification({ event_type: 200, pic_url: '/b.jpg', stream_id: 's' });
  assert.equal(identityOf(x), identityOf(y));
  assert.notEqual(identityOf(x), identityOf(z));
  assert.match(identityOf(x), /^200:sha256:[0-9a-f]{64}$/);
});

test('a body without an integer event_type, or not an object, is refused', () => {
  assert.throws(() => asNotification([1]), /JSON object/);
  assert.throws(() => asNotification(null), /JSON object/);
  assert.throws(() => asNotification({ event_type: 'x' }), /event_type/);
  assert.throws(() => asNotification({ event_type: 1.5 }), /event_type/);
  assert.equal(asNotification({ event_type: '100' }).event_type, 100);
});

test('the recording fields of the reference notification', () => {
  const rec = recordingOf(asNotification(recordingNotification('f1', { userdefinerecordid: '12' })));
  assert.deepEqual(rec, { ...REFERENCE_RECORDING, recordId: '12' });
  assert.equal(recordingOf(asNotification({ event_type: 1, stream_id: 's' })), null);
  assert.equal(toStored(asNotification({ event_type: 1, stream_id: 's' })).recording, null);
});

test('the record id is a string: TRTC userdefinerecordid, or from stream_param; none when absent or malformed', () => {
  const of = (extra: Record<string, unknown>) => recordIdOf(asNotification({ event_type: 100, ...extra }));
  assert.equal(of({ userdefinerecordid: 'meeting_42' }), 'meeting_42');
  assert.equal(of({ userdefinerecordid: 42 }), '42');
  assert.equal(of({ stream_param: '?recordId=5&a=b' }), '5');
  assert.equal(of({ stream_param: 'record_id=abc-6' }), 'abc-6');
  // Tencent's shape, which the local relay now sends: the push credential first, TRTC's record id after it.
  assert.equal(
    of({ stream_param: 'txSecret=0a1b&txTime=6A0B1C2D&record=mp4&userdefinerecordid=meeting_42' }),
    'meeting_42',
  );
  assert.equal(of({ stream_param: 'recordId=a%20b' }), null);
  assert.equal(of({ userdefinerecordid: 'x'.repeat(65) }), null);
  assert.equal(of({ userdefinerecordid: 1.5 }), null);
  assert.equal(of({}), null);
});

test('only http and https URLs count as web URLs', () => {
  assert.ok(isWebUrl('http://a/b.mp4'));
  assert.ok(isWebUrl('HTTPS://a/b.m3u8'));
  for (const u of ['rtmp://a/live/x', 'javascript:alert(1)', 'data:text/html,x', '/relative.mp4', '']) {
    assert.equal(isWebUrl(u), false, u);
  }
});
