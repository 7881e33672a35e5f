/**
 * A WHIP push through the relay as `npm run relay` runs it (a child process, its network from the environment),
 * killed -9 mid-recording: the next start finalises the recordings and sends the 100s and the 0.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ffprobe } from '../../../../server/relay/relay/ffmpeg.ts';
import {
  api,
  callbackSink,
  relayProcess,
  sleep,
  startRelaying,
  tempDir,
  waitFor,
  type ReceivedCallback,
} from '../support.ts';
import { publishTo, releaseWebRtc } from './whip-peers.ts';

after(releaseWebRtc);

/** Pids whose parent is `pid` (the relay's ffmpeg children). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

test('a WHIP push killed -9 mid-recording: on restart its recordings are finalised and 100, 100, 0 are sent; ICE used RELAY_UDP_PORTS', async () => {
  const data = tempDir('relay-whip-crash-');
  const sink = await callbackSink();
  const env = {
    DATA_DIR: data.dir,
    RELAY_CALLBACK_URL: sink.url,
    RELAY_CALLBACK_KEY: 'k',
    RELAY_CALLBACK_RETRY_MS: '200',
    RELAY_UDP_PORTS: '41000-41100',
  };
  let child = await relayProcess(env);
  try {
    const pub = await publishTo(
      child.base,
      async () => {
        const c = await api<{ streamId: string; ingest: { url: string } }>(
          child.base,
          'POST',
          '/api/streams',
          {},
        );
        return {
          path: `/whip/${c.body.streamId}`,
          token: new URL(c.body.ingest.url).searchParams.get('token') ?? '',
        };
      },
      60,
    );
    const id = pub.path.slice('/whip/'.length);
    const mine = (): ReceivedCallback[] => sink.received.filter((c) => c.body.stream_id === id);
    try {
      assert.equal(pub.post.status, 201);
      const port = Number(/a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 (\d+) typ host/.exec(pub.post.body)?.[1]);
      assert.ok(port >= 41000 && port <= 41100, `ICE port ${port} in RELAY_UDP_PORTS`);
      const started = await startRelaying(child.base, id, {
        encode: 'flv',
        recordFileTypes: ['flv', 'mp4'],
        recordId: 'whip_crash',
      });
      assert.equal(started.status, 200);
      await waitFor(() => mine().some((c) => c.body.event_type === 1), 'the 1 before the crash');
      await sleep(4000);
      const pid = child.proc.pid as number;
      process.kill(pid, 'SIGSTOP');
      for (const c of childPids(pid)) process.kill(c, 'SIGKILL');
      const exited = new Promise((r) => child.proc.once('exit', r));
      process.kill(pid, 'SIGKILL');
      await exited;
    } finally {
      pub.close();
    }
    assert.deepEqual(
      mine().map((c) => c.body.event_type),
      [1],
      'nothing but the 1 before the crash',
    );
    child = await relayProcess(env);
    await waitFor(() => mine().filter((c) => c.status === 200).length >= 4, '1, two 100s and 0', 60_000);
    const got = mine();
    assert.deepEqual(
      got.map((c) => c.body.event_type),
      [1, 100, 100, 0],
    );
    for (const c of got.filter((x) => x.body.event_type === 100)) {
      assert.equal(c.body.userdefinerecordid, 'whip_crash');
      const probe = await ffprobe(`${child.base}${new URL(String(c.body.video_url)).pathname}`);
      assert.ok(probe.duration >= 2, `${String(c.body.file_format)} plays for ${probe.duration} s`);
      assert.equal(probe.streams.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
    }
  } finally {
    await child.stop();
    await sink.close();
    data.remove();
  }
});
