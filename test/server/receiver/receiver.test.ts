import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Recording } from '../../../src/contract/events.ts';
import { listRecordings, postCallback, queryDb, REFERENCE_RECORDING } from './receiver-process.ts';
import { notificationCount, recordingNotification, signed, SseReader } from './receiver-process.ts';
import { startReceiver, suiteReceiver } from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'receiver-test-key';
const ORIGIN = 'http://allowed.example';

forEachStore(() => {
  describe('callback receiver (real process)', () => {
    const r = suiteReceiver({ key: KEY, env: { ALLOWED_ORIGINS: `${ORIGIN},http://other.allowed` } });

    test('a real-shaped recording notification is acknowledged with {"code":0} and listed', async () => {
      const res = await postCallback(r.url, signed(KEY, recordingNotification('9031868223267109922')));
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { code: 0 });
      const page = await listRecordings(r, '?streamId=test_1966232762_user_627052');
      assert.equal(page.recordings.length, 1);
      const rec = page.recordings[0];
      assert.deepEqual({ ...rec, id: undefined }, { id: undefined, ...REFERENCE_RECORDING });
    });

    test('the record id comes from userdefinerecordid or from recordId / record_id in stream_param', async () => {
      const a = recordingNotification('rid-a', { stream_id: 'rid', userdefinerecordid: 777 }); // an integer, as the relay used to send
      const b = recordingNotification('rid-b', {
        stream_id: 'rid',
        stream_param: 'bizid=1&recordId=777&txTime=5',
      });
      const c = recordingNotification('rid-c', { stream_id: 'rid', stream_param: 'record_id=777' });
      const d = recordingNotification('rid-d', { stream_id: 'rid', stream_param: 'record_id=778' });
      for (const n of [a, b, c, d]) assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
      const page = await listRecordings(r, '?recordId=777');
      assert.deepEqual(page.recordings.map((x) => x.recordId).sort(), ['777', '777', '777']);
      assert.equal((await listRecordings(r, '?recordId=778')).recordings.length, 1);
    });

    test('stream start/end, screenshot and unknown event types are stored raw, once each', async () => {
      const start = {
        event_type: 1,
        stream_id: 'raw1',
        sequence: '6165892476455460010',
        event_time: 1,
        errcode: 0,
      };
      const end = { ...start, event_type: 0, sequence: '6165892476455460011' };
      const shot = { event_type: 200, stream_id: 'raw1', pic_url: '/a.jpg', create_time: 5 };
      const unknown = { event_type: 4242, whatever: { nested: [1, 2] } };
      for (const n of [start, end, shot, unknown]) {
        assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
        assert.equal((await postCallback(r.url, signed(KEY, n, 300))).status, 200); // retry, new t and sign
      }
      const rows = await queryDb<{ event_type: number; body: string }>(
        r.dataDir,
        "SELECT event_type, body FROM notifications WHERE stream_id = 'raw1' OR event_type = 4242 ORDER BY seq",
      );
      assert.deepEqual(
        rows.map((x) => x.event_type),
        [1, 0, 200, 4242],
      );
      assert.deepEqual(JSON.parse(rows[3].body).whatever, { nested: [1, 2] });
    });

    test('the same notification delivered 5 times in a row is stored once', async () => {
      const n = recordingNotification('seq-dup', { stream_id: 'seqdup' });
      for (let i = 0; i < 5; i++) {
        const res = await postCallback(r.url, signed(KEY, n, 600 - i));
        assert.equal(res.status, 200);
        assert.deepEqual(res.json, { code: 0 });
      }
      assert.equal(
        (await queryDb(r.dataDir, "SELECT 1 FROM notifications WHERE identity = '100:seq-dup'")).length,
        1,
      );
      assert.equal((await listRecordings(r, '?streamId=seqdup')).recordings.length, 1);
    });

    test('50 concurrent deliveries of one notification all get 200 and it is stored once', async () => {
      const n = recordingNotification('conc-dup', { stream_id: 'concdup' });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => postCallback(r.url, signed(KEY, n, 600 - i))),
      );
      assert.deepEqual(new Set(results.map((x) => x.status)), new Set([200]));
      assert.equal(
        (await queryDb(r.dataDir, "SELECT 1 FROM notifications WHERE identity = '100:conc-dup'")).length,
        1,
      );
      assert.equal((await listRecordings(r, '?streamId=concdup')).recordings.length, 1);
    });

    test('50 concurrent distinct notifications are all stored', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          postCallback(r.url, signed(KEY, recordingNotification(`conc-${i}`, { stream_id: 'concmany' }))),
        ),
      );
      assert.deepEqual(new Set(results.map((x) => x.status)), new Set([200]));
      assert.equal((await listRecordings(r, '?streamId=concmany&limit=100')).recordings.length, 50);
    });

    test('bad sign, expired t, missing sign, malformed JSON, huge body: refused, nothing stored', async () => {
      const before = await notificationCount(r.dataDir);
      const n = recordingNotification('refused', { stream_id: 'refused' });
      const cases: { body: unknown; contentType?: string; status: number; code: string }[] = [
        { body: { ...signed(KEY, n), sign: signed('wrong-key', n).sign }, status: 401, code: 'SIGN_INVALID' },
        { body: { ...signed(KEY, n), sign: 'abc' }, status: 401, code: 'SIGN_INVALID' },
        { body: signed(KEY, n, -60), status: 401, code: 'SIGN_EXPIRED' }, // beyond the 30 s skew
        { body: n, status: 401, code: 'SIGN_MISSING' },
        { body: '{"event_type":100,', status: 400, code: 'BAD_BODY' },
        { body: '[1,2]', status: 400, code: 'BAD_BODY' },
        { body: signed(KEY, { stream_id: 'x' }), status: 400, code: 'BAD_BODY' },
        {
          body: 'event_type=100&t=1&sign=x',
          contentType: 'application/x-www-form-urlencoded',
          status: 400,
          code: 'BAD_BODY',
        },
        { body: signed(KEY, { ...n, padding: 'x'.repeat(200_000) }), status: 413, code: 'BODY_TOO_LARGE' },
      ];
      for (const c of cases) {
        const res = await postCallback(r.url, c.body, c.contentType);
        assert.equal(res.status, c.status, JSON.stringify(res.json));
        const err = (res.json as { error: { module: string; code: string; message: string } }).error;
        assert.equal(err.module, 'receiver');
        assert.equal(err.code, c.code);
        assert.ok(err.message.length > 10);
      }
      assert.equal(await notificationCount(r.dataDir), before);
      // The receiver is still healthy after all of that.
      assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
    });

    test('recordings whose video_url is not http(s) are stored but never returned to browsers', async () => {
      for (const [i, url] of ['rtmp://h/live/x', 'javascript:alert(1)', 'file:///etc/passwd'].entries()) {
        const n = recordingNotification(`nonweb-${i}`, { stream_id: 'nonweb', video_url: url });
        assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
      }
      assert.equal(
        (await queryDb(r.dataDir, "SELECT 1 FROM recordings WHERE stream_id = 'nonweb'")).length,
        3,
      );
      assert.equal((await listRecordings(r, '?streamId=nonweb')).recordings.length, 0);
    });

    test('pages go newest first with a cursor, without gaps or repeats', async () => {
      for (let i = 0; i < 25; i++) {
        const n = recordingNotification(`page-${i}`, {
          stream_id: 'paged',
          start_time: 2000 + (i % 5),
          end_time: 2100,
        });
        assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
      }
      const seen: Recording[] = [];
      let cursor: string | null = '';
      let pages = 0;
      while (cursor !== null) {
        const page = await listRecordings(
          r,
          `?streamId=paged&limit=10${cursor ? `&before=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...page.recordings);
        cursor = page.next;
        pages++;
      }
      assert.equal(pages, 3);
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen.map((x) => x.id)).size, 25);
      const starts = seen.map((x) => x.startTime);
      assert.deepEqual(
        starts,
        [...starts].sort((a, b) => b - a),
      );
      const badLimit = await fetch(`${r.url}/api/recordings?limit=1000`);
      assert.equal(badLimit.status, 400);
      assert.equal(((await badLimit.json()) as { error: { code: string } }).error.code, 'BAD_QUERY');
      assert.equal((await fetch(`${r.url}/api/recordings?before=nonsense`)).status, 400);
      assert.equal((await fetch(`${r.url}/api/recordings?recordId=a%20b`)).status, 400);
    });

    test('server-sent events deliver each new recording once, filtered, and resume after Last-Event-ID', async () => {
      const sse = await SseReader.open(`${r.url}/api/recordings/events?recordId=9001`);
      try {
        assert.equal(sse.status, 200);
        assert.match(sse.headers?.get('content-type') ?? '', /^text\/event-stream/);
        const [ready] = await sse.waitFor((m) => m.some((x) => x.event === 'ready'));
        assert.ok(ready.id);
        const mine = recordingNotification('sse-1', { stream_id: 'sse', userdefinerecordid: 9001 });
        const other = recordingNotification('sse-2', { stream_id: 'sse', userdefinerecordid: 9002 });
        await postCallback(r.url, signed(KEY, other));
        await postCallback(r.url, signed(KEY, mine));
        await postCallback(r.url, signed(KEY, mine, 100)); // a retry: not pushed again
        await sse.waitFor(() => sse.recordings().length >= 1);
        await new Promise((res) => setTimeout(res, 200));
        assert.deepEqual(
          sse.recordings().map((x) => x.recordId),
          ['9001'],
        );
        const lastId = sse.recordings()[0].id;

        // A client that was away resumes from its last event id and gets what it missed, and nothing twice.
        sse.close();
        const missed = recordingNotification('sse-3', {
          stream_id: 'sse',
          userdefinerecordid: 9001,
          start_time: 1,
        });
        await postCallback(r.url, signed(KEY, missed));
        const resumed = await SseReader.untilReady(`${r.url}/api/recordings/events?recordId=9001`, {
          'Last-Event-ID': lastId,
        });
        assert.equal(resumed.recordings().length, 1);
        assert.ok(Number(resumed.recordings()[0].id) > Number(lastId));
      } finally {
        sse.close();
      }
    });

    test('a page read tells which event id to subscribe after, so nothing falls between list and live', async () => {
      const page = await listRecordings(r, '?streamId=gap');
      const n = recordingNotification('gap-1', { stream_id: 'gap' });
      await postCallback(r.url, signed(KEY, n)); // stored after the read, before the subscription
      const sse = await SseReader.untilReady(
        `${r.url}/api/recordings/events?streamId=gap&lastEventId=${page.lastEventId}`,
      );
      assert.deepEqual(
        sse.recordings().map((x) => x.streamId),
        ['gap'],
      );
    });

    test('CORS: only configured origins may read the recordings API', async () => {
      const ok = await fetch(`${r.url}/api/recordings`, { headers: { origin: ORIGIN } });
      assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
      const bad = await fetch(`${r.url}/api/recordings`, { headers: { origin: 'http://evil.example' } });
      assert.equal(bad.headers.get('access-control-allow-origin'), null);
      const pre = await fetch(`${r.url}/api/recordings/events`, {
        method: 'OPTIONS',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'last-event-id',
        },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Last-Event-ID/i);
      const sse = await SseReader.open(`${r.url}/api/recordings/events`, { origin: 'http://other.allowed' });
      try {
        assert.equal(sse.headers?.get('access-control-allow-origin'), 'http://other.allowed');
      } finally {
        sse.close();
      }
    });

    test('stopping the receiver ends live subscriptions and exits cleanly', async () => {
      const other = await startReceiver({ key: KEY });
      const sse = await SseReader.open(`${other.url}/api/recordings/events`);
      await sse.waitFor((m) => m.some((x) => x.event === 'ready'));
      const code = await Promise.race([
        other.stop(),
        new Promise((res) => setTimeout(() => res('hung'), 10_000)),
      ]);
      sse.close();
      assert.equal(code, 0);
    });
  });

  describe('receiver configuration', () => {
    test('refuses to start without CALLBACK_KEY', async () => {
      await assert.rejects(startReceiver({ key: '' }), /CALLBACK_KEY/);
    });

    test('ALLOWED_ORIGINS=* (local demo) lets any origin read', async () => {
      const r = await startReceiver({ key: KEY, env: { ALLOWED_ORIGINS: '*' } });
      try {
        const res = await fetch(`${r.url}/api/recordings`, {
          headers: { origin: 'http://anything.example' },
        });
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
      } finally {
        await r.stop();
      }
    });

    test('a restart keeps every stored notification and still refuses their retries as duplicates', async () => {
      const r = await startReceiver({ key: KEY });
      const n = recordingNotification('restart-1', { stream_id: 'restart' });
      assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
      await r.stop();
      const again = await startReceiver({ key: KEY, dataDir: r.dataDir });
      try {
        assert.equal((await postCallback(again.url, signed(KEY, n, 30))).status, 200);
        assert.equal(await notificationCount(again.dataDir), 1);
        assert.equal((await listRecordings(again, '?streamId=restart')).recordings.length, 1);
      } finally {
        await again.stop();
      }
    });
  });
});
