import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { LiveFeed } from '../../../server/receiver/live-feed.ts';
import type { StoredNotification } from '../../../server/receiver/notification.ts';
import type { Recording, RecordingStore } from '../../../server/receiver/store.ts';
import { SseReader } from './receiver-process.ts';
import { forEachStore, openStore } from './stores.ts';

/** A real HTTP server whose every request subscribes to `feed` (`?streamId=` filters). */
async function serve(feed: LiveFeed): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const streamId = new URL(req.url ?? '/', 'http://x').searchParams.get('streamId') ?? undefined;
    void feed.attach(res, req.socket.remoteAddress ?? '', streamId ? { streamId } : {}, null, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** Stores a recording and tells the feed, as the receiver does for a callback; resolves with the recording. */
async function storeRecording(
  s: RecordingStore,
  feed: LiveFeed,
  i: number,
  url: string,
  streamId = 's',
): Promise<Recording> {
  const n: StoredNotification = {
    identity: `100:live-${i}`,
    eventType: 100,
    streamId,
    body: '{}',
    recording: {
      streamId,
      recordId: null,
      fileFormat: 'mp4',
      startTime: i,
      endTime: i,
      duration: 0,
      fileSize: 0,
      url,
    },
    status: null,
  };
  const { recording } = await s.put(n);
  if (!recording) throw new Error('not stored');
  feed.publish({ seq: Number(recording.id), kind: 'recording', data: recording });
  return recording;
}

forEachStore((kind) => {
  test('a stalled subscriber is dropped once its backlog passes the bound; the others receive every event', async () => {
    const store = await openStore(kind);
    const feed = new LiveFeed(store, 60_000, { maxBufferedBytes: 256 * 1024 });
    const { server, url } = await serve(feed);
    const reader = await SseReader.open(url);
    // A client that sends its request and never reads a byte of the answer.
    const { port } = new URL(url);
    const stalled = connect(Number(port), '127.0.0.1');
    stalled.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause();
    let stalledClosed = false;
    stalled.on('close', () => (stalledClosed = true));
    stalled.on('error', () => undefined);
    try {
      await reader.waitFor((m) => m.some((x) => x.event === 'ready'));
      while (feed.size < 2) await new Promise((res) => setTimeout(res, 10));
      // Up to ~20 MB of events, each one read by the live client before the next: far more than the kernel's socket
      // buffers can absorb for the stalled client.
      const big = `http://h/${'x'.repeat(50_000)}.mp4`;
      let published = 0;
      while (published < 400 && feed.dropped === 0) {
        published++;
        await storeRecording(store, feed, published, big);
        await reader.waitFor(() => reader.recordings().length === published);
      }
      assert.equal(feed.dropped, 1, 'the stalled client was not dropped');
      assert.equal(feed.size, 1);
      for (let i = 0; i < 3; i++) {
        published++;
        await storeRecording(store, feed, published, 'http://h/small.mp4');
      }
      // The reading client got every event, in order; the stalled one's connection was closed by the server.
      await reader.waitFor(() => reader.recordings().length === published, 30_000);
      assert.deepEqual(
        reader.recordings().map((r) => Number(r.id)),
        Array.from({ length: published }, (_, i) => i + 1),
      );
      stalled.resume();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the stalled socket was left open')), 10_000);
        if (stalledClosed) resolve();
        stalled.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } finally {
      reader.close();
      stalled.destroy();
      feed.close();
      server.close();
      await store.close();
    }
  });

  test('the ready event carries the newest event id matching the filter, not the newest of all', async () => {
    const store = await openStore(kind);
    const feed = new LiveFeed(store, 60_000);
    const { server, url } = await serve(feed);
    const readers: SseReader[] = [];
    try {
      const a = await storeRecording(store, feed, 1, 'http://h/a1.mp4', 'a');
      await storeRecording(store, feed, 2, 'http://h/b1.mp4', 'b');
      const b = await storeRecording(store, feed, 3, 'http://h/b2.mp4', 'b');
      const ready = async (query: string) => {
        const r = await SseReader.open(`${url}/${query}`);
        readers.push(r);
        const m = await r.waitFor((msgs) => msgs.some((x) => x.event === 'ready'));
        return m.find((x) => x.event === 'ready')?.id;
      };
      assert.equal(await ready('?streamId=a'), a.id);
      assert.equal(await ready('?streamId=b'), b.id);
      assert.equal(await ready(''), b.id);
      assert.equal(await ready('?streamId=nobody'), '0');
    } finally {
      for (const r of readers) r.close();
      feed.close();
      server.close();
      await store.close();
    }
  });
});
