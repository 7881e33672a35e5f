// The receiver under the attacks of issue 12, against the real process: each refused with a clear code, and nothing
// stored, changed or lost (legitimate traffic keeps working during and after).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect } from 'node:net';
import { request } from 'node:http';
import { relaySignature } from '../../../server/receiver/relay-signature.ts';
import { sign as computeSign } from '../../../server/shared/sign.ts';
import { txSign } from '../../../server/shared/tx-secret.ts';
import { notificationCount, postCallback, recordingNotification, signed } from './receiver-process.ts';
import { SseReader, startReceiver, suiteReceiver } from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'attack-test-key';
const now = () => Math.floor(Date.now() / 1000);

interface ErrorJson {
  error: { module: string; code: string; message: string };
}
const codeOf = (json: unknown) => (json as ErrorJson).error.code;

/** A GET from a chosen loopback source address; resolves with the status and body (SSE: the status only). */
function getFrom(url: string, localAddress: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; close: () => void }>((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      const close = () => res.destroy();
      if (res.headers['content-type']?.startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, body: '', close });
        return;
      }
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, close }));
    });
    req.on('error', reject);
    req.end();
  });
}

forEachStore(() => {
  describe('callback forgery and malformed bodies', () => {
    const r = suiteReceiver({ key: KEY });

    const body = (t: number, extra: Record<string, unknown> = {}) => ({
      ...recordingNotification(`forged-${t}`, { stream_id: 'forged', ...extra }),
      t,
      sign: computeSign(KEY, t),
    });

    test('a far-future t is refused even with a valid sign; now + 600 (what the cloud sends) and the skew pass', async () => {
      const before = await notificationCount(r.dataDir);
      for (const t of [999_999_999_999, now() + 86_400, now() + 600 + 31 + 5]) {
        const res = await postCallback(r.url, body(t));
        assert.equal(res.status, 401, String(t));
        assert.equal(codeOf(res.json), 'SIGN_TIME_INVALID');
      }
      assert.equal(await notificationCount(r.dataDir), before);
      assert.equal((await postCallback(r.url, body(now() + 600))).status, 200);
      assert.equal((await postCallback(r.url, body(now() + 620))).status, 200); // clock 20 s apart: within skew
    });

    test('a t in the past beyond the 30 s skew is refused; within it, accepted', async () => {
      const before = await notificationCount(r.dataDir);
      const res = await postCallback(r.url, body(now() - 45));
      assert.deepEqual([res.status, codeOf(res.json)], [401, 'SIGN_EXPIRED']);
      assert.equal(await notificationCount(r.dataDir), before);
      assert.equal((await postCallback(r.url, body(now() - 10))).status, 200);
    });

    test('times, sizes and durations out of range or not numbers are refused with 400 naming the field', async () => {
      const before = await notificationCount(r.dataDir);
      const cases: [Record<string, unknown>, string][] = [
        [{ start_time: 1e20 }, 'start_time'],
        [{ end_time: '99999999999' }, 'end_time'],
        [{ file_size: -1 }, 'file_size'],
        [{ duration: 'abc' }, 'duration'],
        [{ duration: 1e9 }, 'duration'],
        [{ media_start_time: -5 }, 'media_start_time'],
        [{ file_size: true }, 'file_size'],
      ];
      for (const [extra, field] of cases) {
        const res = await postCallback(r.url, signed(KEY, recordingNotification('range', extra)));
        assert.equal(res.status, 400, JSON.stringify(extra));
        assert.equal(codeOf(res.json), 'BAD_BODY');
        assert.match((res.json as ErrorJson).error.message, new RegExp(`"${field}"`));
      }
      assert.equal(await notificationCount(r.dataDir), before);
    });

    test('a 30,000-deep JSON body with a valid sign is refused with 400 (not 500), and the receiver stays healthy', async () => {
      const before = await notificationCount(r.dataDir);
      const t = now() + 600;
      const deep = `{"event_type":100,"t":${t},"sign":"${computeSign(KEY, t)}","x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      const res = await postCallback(r.url, deep);
      assert.deepEqual([res.status, codeOf(res.json)], [400, 'BODY_TOO_COMPLEX']);
      const long = await postCallback(r.url, signed(KEY, { event_type: 4242, x: 'y'.repeat(20_000) }));
      assert.deepEqual([long.status, codeOf(long.json)], [400, 'BODY_TOO_COMPLEX']);
      assert.equal(await notificationCount(r.dataDir), before);
      assert.equal((await postCallback(r.url, signed(KEY, recordingNotification('after-deep')))).status, 200);
    });

    test('X-Relay-Signature: a matching one is accepted, an altered body or a wrong header is refused', async () => {
      const post = (text: string, header: string) =>
        fetch(`${r.url}/callbacks/tencent`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-relay-signature': header },
          body: text,
        });
      const n = signed(KEY, recordingNotification('relay-signed', { stream_id: 'relay-signed' }));
      const text = JSON.stringify(n);
      const before = await notificationCount(r.dataDir);
      // Same t and sign (valid on their own), body altered: only the body-bound signature catches it.
      const altered = JSON.stringify({ ...n, video_url: 'https://evil.example/x.mp4' });
      for (const [b, h] of [
        [altered, relaySignature(KEY, String(n.t), text)],
        [text, relaySignature('other-key', String(n.t), text)],
        [text, 'sha256=zz'],
        [text, ''],
      ]) {
        const res = await post(b, h);
        assert.equal(res.status, 401, h);
        assert.equal(codeOf(await res.json()), 'SIGN_INVALID');
      }
      assert.equal(await notificationCount(r.dataDir), before);
      const ok = await post(text, relaySignature(KEY, String(n.t), text));
      assert.equal(ok.status, 200);
    });
  });

  describe('resource limits', () => {
    test('slow bodies and slow headers are cut off; a real callback gets through meanwhile', async () => {
      const r = await startReceiver({
        key: KEY,
        env: { RECEIVER_BODY_TIMEOUT_MS: '1000', RECEIVER_HEADERS_TIMEOUT_MS: '1000' },
      });
      try {
        const { port } = new URL(r.url);
        const closed: Promise<string>[] = [];
        const timers: NodeJS.Timeout[] = [];
        for (let i = 0; i < 20; i++) {
          const socket = connect(Number(port), '127.0.0.1');
          const slowHeaders = i % 4 === 0;
          socket.write(
            slowHeaders
              ? 'POST /callbacks/tencent HTTP/1.1\r\nHost: 127.0.0.1\r\n'
              : 'POST /callbacks/tencent HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"event_type":100,',
          );
          // One byte every 200 ms: never finishing.
          timers.push(setInterval(() => socket.writable && socket.write(slowHeaders ? 'X' : ' '), 200));
          let got = '';
          socket.setEncoding('utf8').on('data', (c) => (got += c));
          socket.on('error', () => undefined);
          closed.push(new Promise((resolve) => socket.on('close', () => resolve(got))));
        }
        assert.equal(
          (await postCallback(r.url, signed(KEY, recordingNotification('during-slowloris')))).status,
          200,
        );
        const answers = await Promise.race([
          Promise.all(closed),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
        ]);
        timers.forEach(clearInterval);
        assert.ok(answers, 'the slow connections were not cut off');
        const bodyTimeouts = answers.filter((a) => a.includes('BODY_TIMEOUT'));
        assert.equal(bodyTimeouts.length, 15, answers.join('\n---\n'));
        assert.ok(bodyTimeouts.every((a) => a.startsWith('HTTP/1.1 408')));
        assert.equal(await notificationCount(r.dataDir), 1);
      } finally {
        await r.stop();
      }
    });

    test('SSE flood: subscribers capped per IP (429) and in total (503), the admitted ones miss nothing', async () => {
      const r = await startReceiver({
        key: KEY,
        env: { RECEIVER_SSE_MAX: '4', RECEIVER_SSE_MAX_PER_IP: '3' },
      });
      const open: { close: () => void }[] = [];
      try {
        const feed = `${r.url}/api/recordings/events?streamId=flood`;
        const readers = [await SseReader.open(feed), await SseReader.open(feed)];
        open.push(...readers);
        open.push(await getFrom(feed, '127.0.0.1'));
        const fourth = await getFrom(feed, '127.0.0.1');
        assert.equal(fourth.status, 429);
        assert.equal(codeOf(JSON.parse(fourth.body)), 'SSE_TOO_MANY_FROM_IP');
        const other = await getFrom(feed, '127.0.0.2'); // another address still fits under the total
        open.push(other);
        assert.equal(other.status, 200);
        const full = await getFrom(feed, '127.0.0.3');
        assert.equal(full.status, 503);
        assert.equal(codeOf(JSON.parse(full.body)), 'SSE_TOO_MANY_CLIENTS');

        // The admitted subscribers get every event stored after their `ready` (the point the feed is complete from).
        for (const s of readers) await s.waitFor((m) => m.some((x) => x.event === 'ready'));
        for (let i = 0; i < 5; i++) {
          const n = recordingNotification(`flood-${i}`, { stream_id: 'flood' });
          assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
        }
        for (const s of readers) await s.waitFor(() => s.recordings().length === 5);

        // A closed subscription frees its slot.
        other.close();
        await new Promise((res) => setTimeout(res, 300));
        const again = await getFrom(feed, '127.0.0.3');
        open.push(again);
        assert.equal(again.status, 200);
      } finally {
        open.forEach((o) => o.close());
        await r.stop();
      }
    });
  });

  describe('who may read', () => {
    test('no CORS "*" by default: a foreign Origin is refused (403) on the list, the feed and preflights', async () => {
      const r = await startReceiver({ key: KEY, env: { ALLOWED_ORIGINS: 'http://site.example' } });
      const plain = await startReceiver({ key: KEY }); // ALLOWED_ORIGINS unset
      try {
        for (const base of [r.url, plain.url]) {
          for (const path of ['/api/recordings', '/api/recordings/events']) {
            const res = await fetch(`${base}${path}`, { headers: { origin: 'http://evil.example' } });
            assert.equal(res.status, 403, `${base}${path}`);
            assert.equal(res.headers.get('access-control-allow-origin'), null);
            assert.equal(codeOf(await res.json()), 'ORIGIN_NOT_ALLOWED');
          }
          const pre = await fetch(`${base}/api/recordings`, {
            method: 'OPTIONS',
            headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
          });
          assert.equal(pre.status, 403);
        }
        const ok = await fetch(`${r.url}/api/recordings`, { headers: { origin: 'http://site.example' } });
        assert.equal(ok.status, 200);
        assert.equal(ok.headers.get('access-control-allow-origin'), 'http://site.example');
        // Servers (no Origin header) still read.
        assert.equal((await fetch(`${plain.url}/api/recordings`)).status, 200);
      } finally {
        await r.stop();
        await plain.stop();
      }
    });

    test('with RECEIVER_READ_KEY, reads without a valid credential for the record id are refused; with one, they work', async () => {
      const READ_KEY = 'read-key';
      const r = await startReceiver({ key: KEY, env: { RECEIVER_READ_KEY: READ_KEY } });
      try {
        const n = recordingNotification('secret-1', { stream_id: 'secret', userdefinerecordid: 'meeting_7' });
        assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
        const good = txSign(READ_KEY, 'meeting_7', now() + 300);
        const expired = txSign(READ_KEY, 'meeting_7', now() - 300);
        const forOther = txSign(READ_KEY, 'meeting_8', now() + 300);
        const q = (c: { txSecret: string; txTime: string }, id = 'meeting_7') =>
          `recordId=${id}&readSecret=${c.txSecret}&readTime=${c.txTime}`;
        const refused = [
          '',
          'streamId=secret',
          'recordId=meeting_7',
          q(expired),
          q(forOther),
          q(forOther, 'meeting_8').replace('meeting_8', 'meeting_7'),
          `recordId=meeting_7&readSecret=${'0'.repeat(32)}&readTime=${good.txTime}`,
        ];
        for (const path of ['/api/recordings', '/api/recordings/events']) {
          for (const query of refused) {
            const res = await fetch(`${r.url}${path}?${query}`);
            assert.equal(res.status, 403, `${path}?${query}`);
            const err = ((await res.json()) as ErrorJson).error;
            assert.deepEqual([err.module, err.code], ['recordings', 'READ_AUTH_FAILED']);
          }
        }
        const page = await fetch(`${r.url}/api/recordings?${q(good)}`);
        assert.equal(page.status, 200);
        const body = (await page.json()) as { recordings: { recordId: string }[] };
        assert.deepEqual(
          body.recordings.map((x) => x.recordId),
          ['meeting_7'],
        );
        const sse = await SseReader.open(`${r.url}/api/recordings/events?${q(good)}&lastEventId=0`);
        try {
          assert.equal(sse.status, 200);
          await sse.waitFor(() => sse.recordings().length === 1);
        } finally {
          sse.close();
        }
      } finally {
        await r.stop();
      }
    });
  });
});
