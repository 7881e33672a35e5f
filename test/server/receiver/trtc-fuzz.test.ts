/**
 * Property-based fuzzing (fast-check) of the parsers this receiver added in front of strangers: TRTC cloud-recording
 * callbacks (hostile bodies, signed with the right key so that they reach the parser, and hostile `Sign` headers) and
 * UserSig requests (hostile bodies past a permissive authoriser). After every case the process is alive and answered
 * below 500; at the end a genuine callback is still stored and listed, and a genuine UserSig request still served.
 * `FUZZ_RUNS` scales the number of cases.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { listRecordings, startReceiver, type RunningReceiver } from './receiver-process.ts';

const KEY = 'fuzzTrtcKey';
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
let r: RunningReceiver;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trtc-fuzz-'));
  writeFileSync(join(dir, 'allow.mjs'), 'export default () => true;\n');
  r = await startReceiver({
    key: 'css-key',
    env: {
      TRTC_CALLBACK_KEY: KEY,
      TRTC_RECORDING_FILE_BASE_URL: 'https://bucket.example/rec/',
      TRTC_SDK_APP_ID: '1400000000',
      TRTC_SECRET_KEY: 'fuzz-secret',
      RECEIVER_USERSIG_AUTHORIZER: join(dir, 'allow.mjs'),
      TRTC_USERSIG_PER_MINUTE: '100000',
    },
  });
});
after(async () => {
  await r?.stop();
});

const post = async (path: string, raw: string, headers: Record<string, string>): Promise<number> => {
  const res = await fetch(`${r.url}${path}`, { method: 'POST', headers, body: raw });
  await res.arrayBuffer();
  return res.status;
};
const alive = (status: number, what: string) => {
  assert.equal(r.proc.exitCode, null, `the receiver died on ${what}`);
  assert.ok(status < 500, `${status} on ${what}`);
};

/** Values that have broken parsers: wrong types, huge and negative numbers, odd strings, nesting. */
const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    '..',
    '//',
    '/etc/passwd',
    'http://evil.example/x.mp4',
    '%00',
    '\u0000',
    'x'.repeat(3000),
  ),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, 4294967295, 1.5, null, true, [], {}),
);
const trtcBody = fc.record(
  {
    EventGroupId: fc.oneof(fc.constant(3), hostile),
    EventType: fc.oneof(fc.constantFrom(310, 311, 301, 312), hostile),
    CallbackTs: fc.oneof(fc.integer(), hostile),
    EventInfo: fc.oneof(
      fc.record(
        {
          RoomId: hostile,
          EventTs: hostile,
          UserId: hostile,
          TaskId: fc.oneof(fc.string({ maxLength: 40 }), hostile),
          Payload: fc.oneof(
            fc.record(
              {
                Status: hostile,
                FileList: fc.oneof(fc.array(hostile, { maxLength: 80 }), hostile),
                TencentVod: fc.oneof(
                  fc.record(
                    {
                      UserId: hostile,
                      MediaId: hostile,
                      FileId: fc.oneof(fc.string({ maxLength: 20 }), hostile),
                      VideoUrl: fc.oneof(fc.webUrl(), hostile),
                      StartTimeStamp: hostile,
                      EndTimeStamp: hostile,
                      UserDefineRecordId: hostile,
                    },
                    { requiredKeys: [] },
                  ),
                  hostile,
                ),
              },
              { requiredKeys: [] },
            ),
            hostile,
          ),
        },
        { requiredKeys: [] },
      ),
      hostile,
    ),
  },
  { requiredKeys: [] },
);

test('hostile TRTC callbacks, signed or not, never crash the receiver nor get a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(trtcBody, fc.boolean(), async (body, tabs) => {
      const raw = JSON.stringify(body, null, tabs ? '\t' : undefined);
      const sign = createHmac('sha256', KEY).update(raw).digest('base64');
      const status = await post('/callbacks/trtc-recording', raw, {
        'content-type': 'application/json',
        sign,
      });
      alive(status, raw.slice(0, 200));
      assert.ok([200, 400, 413].includes(status), `signed body answered ${status}: ${raw.slice(0, 200)}`);
    }),
    { numRuns: runs(300) },
  );
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 200 }), async (raw, sign) => {
      const status = await post('/callbacks/trtc-recording', raw, {
        'content-type': 'application/json',
        sign,
      });
      alive(status, `${JSON.stringify(raw)} / ${JSON.stringify(sign)}`);
      assert.equal(status, 401);
    }),
    { numRuns: runs(150) },
  );
  // A genuine callback after all that is stored and listed.
  const raw = JSON.stringify({
    EventGroupId: 3,
    EventType: 311,
    CallbackTs: 1622191965320,
    EventInfo: {
      RoomId: '9',
      EventTs: 1622191965,
      UserId: 'rec',
      TaskId: 'after_fuzz',
      Payload: {
        Status: 0,
        TencentVod: { UserId: 'u', FileId: 'f1', VideoUrl: 'https://vod.example/f1.mp4' },
      },
    },
  });
  const sign = createHmac('sha256', KEY).update(raw).digest('base64');
  assert.equal(
    await post('/callbacks/trtc-recording', raw, { 'content-type': 'application/json', sign }),
    200,
  );
  const page = await listRecordings(r, '?recordId=after_fuzz');
  assert.deepEqual(
    page.recordings.map((x) => x.url),
    ['https://vod.example/f1.mp4'],
  );
});

test('hostile UserSig requests never crash the receiver nor get a 5xx; a genuine one is still served', async () => {
  const request = fc.record(
    { userId: hostile, roomId: hostile, strRoomId: hostile, role: hostile, sdkAppId: hostile },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(request, hostile), async (body) => {
      const raw = JSON.stringify(body);
      const status = await post('/api/trtc/usersig', raw, { 'content-type': 'application/json' });
      alive(status, raw.slice(0, 200));
      assert.ok([200, 400, 413].includes(status), `${status} for ${raw.slice(0, 200)}`);
    }),
    { numRuns: runs(300) },
  );
  const ok = await post('/api/trtc/usersig', JSON.stringify({ userId: 'alice', strRoomId: 'room 1' }), {
    'content-type': 'application/json',
  });
  assert.equal(ok, 200);
});
