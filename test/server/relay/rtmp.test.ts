import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import { createAndPush, startRelay, startRelaying } from './support.ts';

test('encode "rtmp" relays to the local RTMP server and answers the rtmp:// URL first', async () => {
  const relay = await startRelay({ rtmpPort: 0 });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
    try {
      const started = await startRelaying(relay.base, streamId, {
        encode: 'rtmp',
      });
      assert.equal(started.status, 200);
      assert.deepEqual(
        started.body.urls.map((u) => u.encode),
        ['rtmp', 'flv', 'hls', 'webrtc'],
      );
      const rtmpUrl = started.body.urls[0].url;
      assert.match(rtmpUrl, new RegExp(`^rtmp://127\\.0\\.0\\.1:\\d+/live/${streamId}$`));
      // the HTTP outputs still work alongside
      assert.equal((await fetch(`${relay.base}/live/${streamId}.m3u8`)).status, 200);
      const probe = await ffprobe(rtmpUrl);
      assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    } finally {
      await pusher.stop();
    }
  } finally {
    await relay.close();
  }
});

test('without an RTMP server, encode "rtmp" still relays and lists only the HTTP URLs it can serve', async () => {
  const relay = await startRelay();
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 10 });
    try {
      const started = await startRelaying(relay.base, streamId, { encode: 'rtmp' });
      assert.equal(started.status, 200);
      assert.deepEqual(
        started.body.urls.map((u) => u.encode),
        ['flv', 'hls', 'webrtc'],
      );
    } finally {
      await pusher.stop();
    }
  } finally {
    await relay.close();
  }
});
