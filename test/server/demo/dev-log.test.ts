/** The lines `npm start` prints for callbacks (server/dev-log.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCallback, firstFreePort } from '../../../server/dev-log.ts';

test('a recording callback reads as a site backend would see it: event, format and stream', () => {
  const body = { event_type: 100, file_format: 'mp4', stream_id: 's1', video_url: 'http://x/s1.mp4' };
  assert.equal(describeCallback(JSON.stringify(body)), 'event 100 mp4 (stream s1)'); // raw text, as the receiver reads it
  assert.equal(describeCallback(body), 'event 100 mp4 (stream s1)');
  assert.equal(describeCallback(JSON.stringify({ event_type: 1, stream_id: 's1' })), 'event 1 (stream s1)');
  assert.equal(describeCallback('{"event_type":0}'), 'event 0 (stream ?)');
  assert.equal(describeCallback('not json'), 'a body that is not JSON');
  assert.equal(describeCallback(undefined), 'an empty body');
});

test('the suggested port is the first one the check finds free', async () => {
  const busy = new Set([8081, 8082]);
  assert.equal(await firstFreePort(8081, async (p) => !busy.has(p)), 8083);
  assert.equal(await firstFreePort(65535, async () => false), null);
});
