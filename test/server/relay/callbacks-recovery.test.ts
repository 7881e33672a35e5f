import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import { sign } from '../../../server/shared/sign.ts';
import {
  callbackSink,
  createAndPush,
  relayProcess,
  sleep,
  startRelaying,
  tempDir,
  waitFor,
  type ReceivedCallback,
} from './support.ts';

const KEY = 'crash-key';

/** Pids whose parent is `pid` (from /proc), i.e. the ffmpeg children of the relay. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

test('after kill -9 mid-recording, the next start finalises playable files and delivers the missing 100s and the 0', async (t) => {
  const data = tempDir('relay-crash-');
  const sink = await callbackSink();
  const base = sink.url.replace(/\/callbacks\/tencent$/, '');
  const env = {
    DATA_DIR: data.dir,
    RELAY_CALLBACK_URL_PUSH: `${base}/push`,
    RELAY_CALLBACK_URL_STREAM_END: `${base}/end`,
    RELAY_CALLBACK_URL_RECORD: `${base}/record`,
    RELAY_CALLBACK_KEY: KEY,
    RELAY_APPID: '1400000002',
    RELAY_CALLBACK_RETRY_MS: '200',
  };
  let child = await relayProcess(env);
  let crashedAt = 0;
  try {
    const { streamId, pusher } = await createAndPush(child.base, { seconds: 60 });
    const mine = (): ReceivedCallback[] => sink.received.filter((c) => c.body.stream_id === streamId);
    try {
      const started = await startRelaying(child.base, streamId, {
        encode: 'hls',
        recordFileTypes: ['hls', 'flv', 'mp4'],
        recordId: 'crash_1',
      });
      assert.equal(started.status, 200);
      await waitFor(
        async () => (await fetch(`${child.base}/live/${streamId}.m3u8`)).status === 200,
        'media flowing',
        60_000,
      );
      await sleep(5000);
      await waitFor(() => mine().some((c) => c.body.event_type === 1), 'the 1 before the crash');

      // The crash: freeze the relay so it cannot react, kill its ffmpeg children (as a power loss would leave
      // their files: no MP4 index, no FLV duration, an open HLS playlist), then kill -9 the relay itself.
      const pid = child.proc.pid as number;
      process.kill(pid, 'SIGSTOP');
      const children = childPids(pid);
      assert.ok(children.length >= 2, 'transcoder and muxer are running');
      for (const c of children) process.kill(c, 'SIGKILL');
      const exited = new Promise((r) => child.proc.once('exit', r));
      process.kill(pid, 'SIGKILL');
      crashedAt = Date.now();
      await exited;
    } finally {
      await pusher.stop();
    }

    const streamDir = join(data.dir, 'recordings', streamId);
    const left = filesUnder(streamDir);
    assert.ok(
      left.some((f) => f.endsWith('.fmp4')),
      `an unfinished MP4 is left (${left.join(', ')})`,
    );
    assert.ok(!left.some((f) => f.endsWith(`${streamId}.mp4`)), 'no finished MP4 before the restart');
    assert.equal(
      mine().filter((c) => c.body.event_type !== 1).length,
      0,
      'no 100 or 0 was sent before the crash',
    );

    const restartedAt = Date.now();
    child = await relayProcess(env);
    await waitFor(() => mine().filter((c) => c.status === 200).length >= 5, '1, three 100s and 0', 60_000);
    const deliveredAt = Math.max(...mine().map((c) => c.at));
    await sleep(1000);
    const got = mine();
    assert.deepEqual(
      got.map((c) => c.body.event_type),
      [1, 100, 100, 100, 0],
      'nothing lost, nothing twice, in order',
    );
    const start = got[0].body;
    const end = got[4];
    assert.equal(end.path, '/end');
    assert.equal(end.body.sequence, start.sequence, 'the 0 closes the push the 1 opened');
    assert.equal(end.body.errcode, 5, '断流错误码 5: internal error');
    assert.match(String(end.body.errmsg), /ended unexpectedly/);
    assert.ok(Number(end.body.push_duration) >= 4000, `push_duration ${end.body.push_duration}`);
    assert.ok(
      Number(start.event_time) * 1000 + Number(end.body.push_duration) <= crashedAt + 1000,
      'the push ended when the relay died, not when it was restarted',
    );
    assert.equal(end.body.appid, 1400000002);
    assert.equal(end.body.sign, sign(KEY, end.body.t as number));

    const formats = new Set<string>();
    for (const c of got.filter((x) => x.body.event_type === 100)) {
      assert.equal(c.path, '/record');
      assert.equal(c.body.userdefinerecordid, 'crash_1');
      formats.add(String(c.body.file_format));
      // video_url names the relay as it was when the push started; this test's restarted relay has a new port
      const probe = await ffprobe(`${child.base}${new URL(String(c.body.video_url)).pathname}`);
      assert.ok(probe.duration >= 3, `${String(c.body.file_format)} plays for ${probe.duration} s`);
      assert.deepEqual(
        probe.streams.map((s) => s.codec_name).sort(),
        ['aac', 'h264'],
        `${String(c.body.file_format)} has its video and audio`,
      );
      assert.ok(Math.abs(probe.duration - Number(c.body.duration)) <= 1.5, 'duration as measured');
    }
    assert.deepEqual([...formats].sort(), ['flv', 'hls', 'mp4']);
    t.diagnostic(
      `restart to last callback delivered: ${deliveredAt - restartedAt} ms; recovered durations: ${got
        .filter((c) => c.body.event_type === 100)
        .map((c) => `${String(c.body.file_format)} ${String(c.body.duration)} s`)
        .join(', ')}; push_duration ${String(end.body.push_duration)} ms`,
    );
    const after = filesUnder(streamDir);
    assert.ok(!after.some((f) => f.endsWith('.fmp4') || f.endsWith('.tmp')), `work files removed: ${after}`);
    assert.ok(
      readFileSync(join(streamDir, after.find((f) => f.endsWith('index.m3u8')) as string), 'utf8').includes(
        '#EXT-X-ENDLIST',
      ),
      'the HLS recording is closed',
    );
    assert.deepEqual(filesUnder(join(data.dir, 'live')), [], 'live work folder emptied');

    // A second restart sends nothing again: the push is closed.
    await child.stop();
    child = await relayProcess(env);
    await sleep(1500);
    assert.equal(mine().length, 5);
  } finally {
    await child.stop();
    await sink.close();
    data.remove();
  }
});
