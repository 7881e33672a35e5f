import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../../../server/shared/sign.ts';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import {
  api,
  callbackSink,
  createAndPush,
  sleep,
  startRelay,
  waitFor,
  type RunningRelay,
} from './support.ts';

interface Rec {
  id: string;
  streamId: string;
  recordId: string | null;
  fileFormat: string;
  duration: number;
  fileSize: number;
  url: string;
  startTime: number;
  endTime: number;
}

let relay: RunningRelay;
let sink: Awaited<ReturnType<typeof callbackSink>>;
const KEY = 'test-callback-key';

before(async () => {
  sink = await callbackSink();
  relay = await startRelay({
    callbackUrl: sink.url,
    callbackKey: KEY,
    callbackRetryBaseMs: 100,
    appid: 1400000001,
  });
});
after(async () => {
  await relay.close();
  await sink.close();
});

test('HLS, FLV and MP4 recordings are finalised on stop, served over HTTP and play from the start with their duration', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  try {
    const started = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
      encode: 'hls',
      recordFileTypes: ['hls', 'flv', 'mp4'],
      recordId: 'rec_7001',
    });
    assert.equal(started.status, 200);
    await waitFor(
      async () => (await fetch(`${relay.base}/live/${streamId}.m3u8`)).status === 200,
      'live playlist',
    );
    await sleep(4000);
    const stopped = await api<{ recordings: Rec[] }>(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    assert.equal(stopped.status, 200);
    const recs = stopped.body.recordings;
    assert.deepEqual(recs.map((r) => r.fileFormat).sort(), ['flv', 'hls', 'mp4']);
    for (const r of recs) {
      assert.equal(r.streamId, streamId);
      assert.equal(r.recordId, 'rec_7001');
      assert.ok(r.duration > 2 && r.duration < 12, `${r.fileFormat} duration ${r.duration}`);
      assert.ok(r.fileSize > 10_000, `${r.fileFormat} size ${r.fileSize}`);
      assert.ok(r.url.startsWith(`${relay.base}/recordings/${streamId}/`), r.url);
      const probe = await ffprobe(r.url);
      assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264'], r.fileFormat);
      assert.ok(
        Math.abs(probe.duration - r.duration) < 1.5,
        `${r.fileFormat}: probe ${probe.duration} vs ${r.duration}`,
      );
    }
    const mp4 = recs.find((r) => r.fileFormat === 'mp4') as Rec;
    // faststart: the moov box comes before mdat, so a browser can start playing without the whole file
    const head = Buffer.from(
      await (await fetch(mp4.url, { headers: { range: 'bytes=0-4095' } })).arrayBuffer(),
    );
    assert.ok(
      head.indexOf('moov') > 0 &&
        (head.indexOf('mdat') === -1 || head.indexOf('moov') < head.indexOf('mdat')),
      'moov first',
    );
    const ranged = await fetch(mp4.url, { headers: { range: 'bytes=0-99' } });
    assert.equal(ranged.status, 206);
    await ranged.arrayBuffer();
    const hls = recs.find((r) => r.fileFormat === 'hls') as Rec;
    const playlist = await (await fetch(hls.url)).text();
    assert.match(playlist, /#EXT-X-ENDLIST/);

    // one signed event_type 100 per file, in the cloud's shape, plus start (1) and stop (0)
    const files = await waitFor(() => {
      const got = sink.received.filter((c) => c.body.event_type === 100 && c.body.stream_id === streamId);
      return got.length === 3 ? got : null;
    }, 'three recording callbacks');
    for (const { body } of files) {
      assert.equal(body.sign, sign(KEY, body.t as number));
      assert.ok((body.t as number) > Date.now() / 1000 + 500, 't is about now + 10 minutes');
      assert.equal(body.userdefinerecordid, 'rec_7001');
      assert.match(String(body.stream_param), /(^|&)userdefinerecordid=rec_7001(&|$)/);
      assert.equal(body.channel_id, streamId);
      assert.equal(body.appid, 1400000001);
      assert.equal(body.record_file_id, body.file_id);
      const rec = recs.find((r) => r.id === body.file_id) as Rec;
      assert.ok(rec, 'file_id matches the recording id');
      assert.equal(body.file_format, rec.fileFormat);
      assert.equal(body.video_url, rec.url);
      assert.equal(body.file_size, rec.fileSize);
      assert.equal(body.duration, Math.round(rec.duration));
      assert.equal(body.start_time, rec.startTime);
      assert.equal(body.end_time, rec.endTime);
    }
    const events = sink.received.filter((c) => c.body.stream_id === streamId).map((c) => c.body.event_type);
    assert.ok(events.includes(1) && events.includes(0), `events ${events.join(',')}`);
    const start = sink.received.find((c) => c.body.stream_id === streamId && c.body.event_type === 1)?.body;
    assert.ok(start?.sequence && start.event_time && start.errcode === 0);
  } finally {
    await pusher.stop();
  }
});

test('an audio-only push records MP3 (and audio-only MP4)', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { audioOnly: true, seconds: 30 });
  try {
    const started = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
      encode: 'flv',
      recordFileTypes: ['mp3', 'mp4'],
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await waitFor(
      async () => (await fetch(`${relay.base}/live/${streamId}.m3u8`)).status === 200,
      'media flowing',
      60_000,
    );
    await sleep(4000);
    const stopped = await api<{ recordings: Rec[] }>(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    const mp3 = stopped.body.recordings.find((r) => r.fileFormat === 'mp3') as Rec;
    assert.ok(mp3, JSON.stringify(stopped.body));
    assert.equal(mp3.recordId, null);
    const probe = await ffprobe(mp3.url);
    assert.deepEqual(
      probe.streams.map((s) => s.codec_name),
      ['mp3'],
    );
    assert.ok(probe.duration > 2 && probe.duration < 10, `mp3 duration ${probe.duration}`);
    const mp4 = stopped.body.recordings.find((r) => r.fileFormat === 'mp4') as Rec;
    assert.deepEqual(
      (await ffprobe(mp4.url)).streams.map((s) => s.codec_name),
      ['aac'],
    );
  } finally {
    await pusher.stop();
  }
});

test('a push that ends by itself finalises its recordings and reports them by callback', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 5 });
  const started = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
    encode: 'flv',
    recordFileTypes: ['mp4'],
  });
  assert.equal(started.status, 200);
  await pusher.closed; // pusher's ffmpeg reached the end of its 5 s and closed the socket
  const cb = await waitFor(
    () => sink.received.find((c) => c.body.event_type === 100 && c.body.stream_id === streamId),
    'recording callback after the push ended',
  );
  const probe = await ffprobe(String(cb.body.video_url));
  assert.ok(probe.duration > 2, `duration ${probe.duration}`);
});
