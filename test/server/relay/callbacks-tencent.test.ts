import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { sign } from '../../../server/shared/sign.ts';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import {
  api,
  callbackSink,
  createAndPush,
  sleep,
  startRelay,
  startRelaying,
  waitFor,
  type ReceivedCallback,
} from './support.ts';

interface Fixtures {
  samples: { name: string; source: string; body: Record<string, unknown> }[];
  documentedTypes: Record<string, Record<string, string> | string>;
  notSent: Record<string, string>;
}
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/tencent-callbacks.json', import.meta.url), 'utf8'),
) as Fixtures;

const KEY = 'tencent-shape-key';
/** Fields listed with their sources in test/server/fixtures/tencent-callback-fields.json (newer docs, captures, TRTC). */
const fieldList = JSON.parse(
  readFileSync(new URL('../fixtures/tencent-callback-fields.json', import.meta.url), 'utf8'),
) as { events: Record<string, Record<string, unknown>> };

test('relay callbacks carry every field of real Tencent bodies with the same JSON types, on per-event URLs, signed both ways', async () => {
  const sink = await callbackSink();
  const base = sink.url.replace(/\/callbacks\/tencent$/, '');
  const relay = await startRelay({
    callbackUrls: { push: `${base}/on-push`, streamEnd: `${base}/on-end`, record: `${base}/on-record` },
    callbackKey: KEY,
    appid: 1400188366,
  });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
    try {
      const started = await startRelaying(relay.base, streamId, {
        encode: 'flv',
        recordFileTypes: ['mp4'],
        recordId: 'meeting_42',
      });
      assert.equal(started.status, 200);
      await waitFor(
        async () => (await fetch(`${relay.base}/live/${streamId}.m3u8`)).status === 200,
        'media flowing',
        60_000,
      );
      await sleep(3000);
      const stopped = await api<{ recordings: { id: string; url: string; recordId: string }[] }>(
        relay.base,
        'DELETE',
        `/api/streams/${streamId}/relay`,
      );
      assert.equal(stopped.status, 200);
      assert.equal(stopped.body.recordings[0].recordId, 'meeting_42');
    } finally {
      await pusher.stop();
    }
    const mine = (): ReceivedCallback[] => sink.received.filter((c) => c.body.stream_id === streamId);
    await waitFor(() => mine().length >= 3, 'events 1, 100 and 0', 60_000);
    await sleep(300);
    const byType = (t: number): ReceivedCallback => {
      const got = mine().filter((c) => c.body.event_type === t);
      assert.equal(got.length, 1, `exactly one event ${t}`);
      return got[0];
    };
    const start = byType(1);
    const file = byType(100);
    const end = byType(0);

    // one URL per event type, as in Tencent's console
    assert.equal(start.path, '/on-push');
    assert.equal(end.path, '/on-end');
    assert.equal(file.path, '/on-record');
    assert.deepEqual(
      mine().map((c) => c.body.event_type),
      [1, 100, 0],
      'delivered in order: start, files, end',
    );

    // field by field against every recorded Tencent body of the same event type (types included)
    const ours: Record<number, Record<string, unknown>> = { 1: start.body, 100: file.body, 0: end.body };
    for (const sample of fixtures.samples) {
      const type = sample.body.event_type as number;
      for (const [field, value] of Object.entries(sample.body)) {
        if (field in fixtures.notSent) continue;
        assert.ok(field in ours[type], `event ${type} lacks "${field}" (${sample.name}, ${sample.source})`);
        assert.equal(
          typeof ours[type][field],
          typeof value,
          `event ${type} "${field}" is ${typeof ours[type][field]}, Tencent sends ${typeof value} (${sample.name})`,
        );
      }
    }
    for (const type of [0, 1, 100]) {
      const table = fixtures.documentedTypes[String(type)] as Record<string, string>;
      for (const [field, jsType] of Object.entries(table)) {
        assert.equal(typeof ours[type][field], jsType, `event ${type} "${field}" per Tencent's table`);
      }
      const known = new Set([
        ...Object.keys(table),
        ...fixtures.samples.filter((s) => s.body.event_type === type).flatMap((s) => Object.keys(s.body)),
      ]);
      for (const field of Object.keys(ours[type])) {
        assert.ok(
          known.has(field) || field in fieldList.events[String(type)],
          `event ${type} has a field Tencent does not send: ${field}`,
        );
      }
      assert.ok(!('idc_id' in ours[type]), 'no idc_id (an undocumented data-centre number)');
    }
    // The fields Tencent's newer documents and captures have (sources: test/server/fixtures/tencent-callback-fields.json).
    assert.deepEqual([start.body.set_id, end.body.set_id], [2, 2]);
    assert.ok(!('set_id' in file.body));
    assert.equal(file.body.task_id, start.body.sequence, 'one recording task per push');
    assert.deepEqual([file.body.record_bps, file.body.record_temp_id], [0, '0']);
    assert.deepEqual(JSON.parse(String(file.body.callback_ext)), {
      video_codec: 'h264',
      session_id: file.body.task_id,
      resolution: '320x240',
    });
    assert.ok(
      (file.body.media_start_time as number) > 0,
      `media_start_time: the relay began pulling ${file.body.media_start_time} ms into the push`,
    );
    assert.ok(!('push_duration' in start.body), 'push_duration only on 0');

    // values Tencent gives meaning to
    assert.match(String(start.body.sequence), /^\d{19}$/, 'sequence is a string of digits like Tencent’s');
    assert.equal(end.body.sequence, start.body.sequence, 'one sequence for the 1 and the 0 of a push');
    assert.equal(start.body.appid, 1400188366);
    assert.equal(start.body.errcode, 0);
    assert.equal(start.body.errmsg, 'ok');
    assert.equal(end.body.errcode, 1, '断流错误码 1: the push client stopped');
    const pushMs = Number(end.body.push_duration);
    assert.ok(pushMs >= 3000 && pushMs < 60_000, `push_duration ${end.body.push_duration} ms`);
    assert.deepEqual([end.body.width, end.body.height], [320, 240], 'the pushed video size');
    assert.match(String(file.body.file_id), /^\d{19}$/, 'file_id is a numeric string like a VOD FileId');
    assert.equal(file.body.record_file_id, file.body.file_id);
    assert.equal(file.body.userdefinerecordid, 'meeting_42');
    assert.match(String(file.body.stream_param), /(^|&)userdefinerecordid=meeting_42(&|$)/);
    const probe = await ffprobe(String(file.body.video_url));
    assert.ok(probe.duration > 2, `the recording plays (${probe.duration} s)`);

    // Tencent's sign, and the local relay's body-bound HMAC (docs/contracts.md)
    for (const c of mine()) {
      assert.equal(c.body.sign, sign(KEY, c.body.t as number));
      const expected = createHmac('sha256', KEY)
        .update(`${String(c.body.t)}.${c.raw}`)
        .digest('hex');
      assert.equal(c.headers['x-relay-signature'], `sha256=${expected}`);
      assert.equal(c.headers['content-type'], 'application/json');
    }
  } finally {
    await relay.close();
    await sink.close();
  }
});

test('an event type without a URL is not sent, the others still are', async () => {
  const sink = await callbackSink();
  const relay = await startRelay({ callbackUrls: { streamEnd: sink.url }, callbackKey: KEY });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 20 });
    try {
      await startRelaying(relay.base, streamId, { encode: 'hls', recordFileTypes: ['flv'] });
      await sleep(2500);
      await api(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    } finally {
      await pusher.stop();
    }
    await waitFor(() => sink.received.some((c) => c.body.stream_id === streamId), 'the 0', 60_000);
    await sleep(500);
    assert.deepEqual(
      sink.received.filter((c) => c.body.stream_id === streamId).map((c) => c.body.event_type),
      [0],
    );
  } finally {
    await relay.close();
    await sink.close();
  }
});
