// TRTC cloud-recording callbacks (EventGroupId/EventType bodies, `Sign` header) through the real receiver process, on
// both stores: stored exactly once under Tencent's retries, visible in the list and the live feed, refused unsigned.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { listRecordings, notificationCount, SseReader, suiteReceiver } from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'trtcCallbackKey42';
const SDK_APP_ID = '1400188888';
const COS = 'https://recordings-1250000000.cos.ap-guangzhou.myqcloud.com/trtc/';
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/trtc-cloud-recording.json', import.meta.url), 'utf8'),
) as {
  fields: Record<string, string[]>;
  events: Record<'311' | '311-failed' | '310', Record<string, unknown>>;
};
type Body = Record<string, unknown> & {
  EventInfo: Record<string, unknown> & { Payload: Record<string, unknown> };
};
const event = (name: keyof typeof fixture.events, callbackTs?: number): Body => {
  const body = structuredClone(fixture.events[name]) as Body;
  if (callbackTs !== undefined) body.CallbackTs = callbackTs;
  return body;
};

/** Tencent's documented signature, computed here independently of the receiver's code. */
const signOf = (raw: string, key = KEY) => createHmac('sha256', key).update(raw).digest('base64');

/** Posts `body` as Tencent's callback server does: its own JSON layout (tabs, newlines), `Sign` and `SdkAppId`. */
async function deliver(
  url: string,
  body: unknown,
  opts: { sign?: string | null; raw?: string; path?: string } = {},
): Promise<{ status: number; json: { code?: number; error?: { code: string; message: string } } }> {
  const raw = opts.raw ?? JSON.stringify(body, null, '\t');
  const headers: Record<string, string> = { 'content-type': 'application/json', sdkappid: SDK_APP_ID };
  const sign = opts.sign === undefined ? signOf(raw) : opts.sign;
  if (sign !== null) headers.sign = sign;
  const res = await fetch(`${url}${opts.path ?? '/callbacks/trtc-recording'}`, {
    method: 'POST',
    headers,
    body: raw,
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe("the fixture is Tencent's documented example, field by field", () => {
  const keys = (o: unknown) => Object.keys(o as object);
  test('every level of each event has exactly the fields of the document', () => {
    for (const name of ['311', '311-failed', '310'] as const) {
      const body = fixture.events[name] as Body;
      assert.deepEqual(keys(body), fixture.fields.body, `${name} body`);
      assert.deepEqual(keys(body.EventInfo), fixture.fields.EventInfo, `${name} EventInfo`);
      assert.deepEqual(keys(body.EventInfo.Payload), fixture.fields[`${name}.Payload`], `${name} Payload`);
      if (fixture.fields[`${name}.TencentVod`]) {
        assert.deepEqual(keys(body.EventInfo.Payload.TencentVod), fixture.fields[`${name}.TencentVod`]);
      }
      assert.equal(body.EventGroupId, 3);
      assert.equal(body.EventType, Number(name.slice(0, 3)));
    }
  });
});

forEachStore(() => {
  describe('TRTC cloud-recording callbacks (real process)', () => {
    const r = suiteReceiver({
      key: 'css-key',
      env: { TRTC_CALLBACK_KEY: KEY, TRTC_RECORDING_FILE_BASE_URL: COS },
    });

    test('a VOD file (311) signed as documented is stored once under retries, listed and sent live once', async () => {
      const sse = await SseReader.open(`${r.url}/api/recordings/events?recordId=task_20015_alice`);
      try {
        await sse.waitFor((m) => m.some((x) => x.event === 'ready'));
        const before = await notificationCount(r.dataDir);
        // The first delivery, an identical resend, and the 10-second retries with a new CallbackTs (a new Sign).
        const deliveries = [
          event('311'),
          event('311'),
          event('311', 1622191975320),
          event('311', 1622191985320),
        ];
        for (const body of deliveries) {
          const res = await deliver(r.url, body);
          assert.equal(res.status, 200, JSON.stringify(res.json));
          assert.deepEqual(res.json, { code: 0 });
        }
        assert.equal(await notificationCount(r.dataDir), before + 1);
        const page = await listRecordings(r, '?recordId=task_20015_alice');
        assert.equal(page.recordings.length, 1);
        const { id, ...recording } = page.recordings[0];
        assert.ok(id);
        assert.deepEqual(recording, {
          streamId: `${SDK_APP_ID}_20015_alice_main`,
          recordId: 'task_20015_alice',
          fileFormat: 'mp4',
          startTime: 1622191965,
          endTime: 1622191965,
          duration: 0,
          fileSize: 0,
          url: 'http://1400188888.vod2.myqcloud.com/f00/387702299774251234/f0.mp4',
        });
        await sse.waitFor((m) => m.some((x) => x.event === 'recording'));
        await new Promise((res) => setTimeout(res, 300));
        assert.deepEqual(
          sse.recordings().map((x) => x.url),
          ['http://1400188888.vod2.myqcloud.com/f00/387702299774251234/f0.mp4'],
        );
      } finally {
        sse.close();
      }
    });

    test('the MP4 files of a COS recording (310) become one recording each, once', async () => {
      for (let i = 0; i < 2; i++)
        assert.equal((await deliver(r.url, event('310', 1622191989674 + i))).status, 200);
      const urls = (await listRecordings(r, `?streamId=${SDK_APP_ID}_20015_mix`)).recordings
        .map((x) => x.url)
        .sort();
      assert.deepEqual(urls, [`${COS}task_20015_alice_1.mp4`, `${COS}task_20015_alice_2.mp4`]);
      // A name that would leave the bucket's base URL (another host, `..`, scheme-relative) is kept but never listed.
      const escaping = event('310', 1622191990000);
      escaping.EventInfo.TaskId = 'task_escape';
      escaping.EventInfo.Payload.FileList = [
        'https://evil.example/x.mp4',
        '../../x.mp4',
        '//evil.example/y.mp4',
      ];
      assert.equal((await deliver(r.url, escaping)).status, 200);
      const all = (await listRecordings(r, '?limit=100')).recordings.map((x) => x.url);
      assert.ok(
        all.every((u) => u.startsWith(COS) || u.startsWith('http://1400188888.vod2')),
        all.join(' '),
      );
    });

    test('a failed upload (311, Status 1) is acknowledged and kept, but lists no recording', async () => {
      const before = await notificationCount(r.dataDir);
      const listed = (await listRecordings(r, '?limit=100')).recordings.length;
      assert.equal((await deliver(r.url, event('311-failed'))).status, 200);
      assert.equal((await deliver(r.url, event('311-failed', 1622191999999))).status, 200);
      assert.equal(await notificationCount(r.dataDir), before + 1);
      assert.equal((await listRecordings(r, '?limit=100')).recordings.length, listed);
    });

    test('a wrong or missing signature, or a body altered after signing, is 401 and stores nothing', async () => {
      const before = await notificationCount(r.dataDir);
      const body = event('311');
      (body.EventInfo.Payload.TencentVod as Record<string, unknown>).FileId = 'forged';
      const raw = JSON.stringify(body, null, '\t');
      const cases: [{ sign?: string | null; raw?: string }, string][] = [
        [{ sign: signOf(raw, 'another-key') }, 'SIGN_INVALID'],
        [{ sign: null }, 'SIGN_MISSING'],
        [{ sign: 'x'.repeat(500) }, 'SIGN_INVALID'],
        [{ sign: signOf(raw), raw: raw.replace('forged', 'forgeD') }, 'SIGN_INVALID'],
        // The same document re-serialised: the signature covers the bytes sent, not the JSON value.
        [{ sign: signOf(raw), raw: JSON.stringify(body) }, 'SIGN_INVALID'],
      ];
      for (const [opts, code] of cases) {
        const res = await deliver(r.url, body, opts);
        assert.equal(res.status, 401, JSON.stringify(res.json));
        assert.equal(res.json.error?.code, code);
      }
      assert.equal(await notificationCount(r.dataDir), before);
    });

    test('a TRTC callback sent to /callbacks/tencent is refused with a message naming the right route', async () => {
      const res = await deliver(r.url, event('311'), { path: '/callbacks/tencent' });
      assert.equal(res.status, 401);
      assert.match(res.json.error?.message ?? '', /\/callbacks\/trtc-recording/);
      assert.match(res.json.error?.message ?? '', /TRTC_CALLBACK_KEY/);
    });
  });

  describe('TRTC cloud-recording callbacks without TRTC_CALLBACK_KEY', () => {
    const r = suiteReceiver({ key: 'css-key' });
    test('every callback is refused with a message naming TRTC_CALLBACK_KEY', async () => {
      const res = await deliver(r.url, event('311'));
      assert.equal(res.status, 401);
      assert.match(res.json.error?.message ?? '', /TRTC_CALLBACK_KEY/);
      assert.equal(await notificationCount(r.dataDir), 0);
    });
  });
});
