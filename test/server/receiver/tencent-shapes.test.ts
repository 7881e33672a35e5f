// What real Tencent callbacks look like, end to end through the real receiver process: TRTC's string record ids,
// bodies without a JSON content type, recording status events (332), and databases written by the previous version.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { listRecordings, notificationCount, postCallback, queryDb } from './receiver-process.ts';
import {
  recordingNotification,
  signed,
  SseReader,
  startReceiver,
  suiteReceiver,
} from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'tencent-shapes-key';

/** A TRTC relayed-push recording (event 100) with the record id the browser set (`userDefineRecordId`). */
function trtcRecording(fileId: string, recordId: string): Record<string, unknown> {
  return recordingNotification(fileId, {
    app: 'push.example.com',
    appname: 'trtc_1400188888',
    appid: 1251457656,
    stream_id: '1400188888_meeting42_alice_main',
    channel_id: '1400188888_meeting42_alice_main',
    file_format: 'mp4',
    video_url: `https://1251457656.vod2.myqcloud.com/f00/${fileId}/f0.mp4`,
    userdefinerecordid: recordId,
    stream_param: `txSecret=0123abcd&txTime=6A0B1C2D&userdefinerecordid=${recordId}`,
    record_bps: 0,
  });
}

forEachStore(() => {
  describe('Tencent-shaped callbacks (real process)', () => {
    const r = suiteReceiver({ key: KEY });

    test('a TRTC recording with the string record id "meeting_42" is stored and found by that id', async () => {
      const res = await postCallback(r.url, signed(KEY, trtcRecording('5285890812345678901', 'meeting_42')));
      assert.deepEqual([res.status, res.json], [200, { code: 0 }]);
      const page = await listRecordings(r, '?recordId=meeting_42');
      assert.equal(page.recordings.length, 1);
      assert.equal(page.recordings[0].recordId, 'meeting_42');
      assert.equal(page.recordings[0].streamId, '1400188888_meeting42_alice_main');
      assert.equal(page.recordings[0].fileFormat, 'mp4');
      const stored = await queryDb<{ record_id: unknown }>(
        r.dataDir,
        "SELECT record_id FROM recordings WHERE record_id = 'meeting_42'",
      );
      assert.deepEqual(stored, [{ record_id: 'meeting_42' }]);
      // Strict filters: "0x10" is the record id "0x10", never 16; a malformed one is refused.
      assert.equal((await listRecordings(r, '?recordId=0x10')).recordings.length, 0);
      assert.equal((await fetch(`${r.url}/api/recordings?recordId=meeting_42&recordId=x`)).status, 400);
      assert.equal((await fetch(`${r.url}/api/recordings?recordId=meeting%2042`)).status, 400);
    });

    test('"42" and 42 stay the text "42" (not a number) however the cloud sends them', async () => {
      for (const [i, id] of [42, '42', '042'].entries()) {
        const n = recordingNotification(`num-${i}`, { stream_id: 'numeric-ids', userdefinerecordid: id });
        assert.equal((await postCallback(r.url, signed(KEY, n))).status, 200);
      }
      assert.deepEqual(
        (await listRecordings(r, '?streamId=numeric-ids')).recordings.map((x) => x.recordId).sort(),
        ['042', '42', '42'],
      );
      assert.equal((await listRecordings(r, '?recordId=42')).recordings.length, 2);
    });

    test('a callback sent without a Content-Type (or as text/plain) is stored when its body is JSON', async () => {
      const body = JSON.stringify(signed(KEY, trtcRecording('no-ctype-1', 'meeting_43')));
      const res = await fetch(`${r.url}/callbacks/tencent`, { method: 'POST', body: new Blob([body]) });
      assert.equal(res.headers.get('content-type')?.startsWith('application/json'), true);
      assert.deepEqual([res.status, await res.json()], [200, { code: 0 }]);
      const plain = await postCallback(
        r.url,
        signed(KEY, trtcRecording('no-ctype-2', 'meeting_43')),
        'text/plain',
      );
      assert.equal(plain.status, 200);
      assert.equal((await listRecordings(r, '?recordId=meeting_43')).recordings.length, 2);
      // Not JSON at all: refused, nothing stored.
      const count = await notificationCount(r.dataDir);
      const form = await postCallback(r.url, 'event_type=100&t=1', 'application/x-www-form-urlencoded');
      assert.equal(form.status, 400);
      assert.equal(await notificationCount(r.dataDir), count);
    });

    test('a recording status (event 332) is stored as a status, sent live as event: status, never listed as a recording', async () => {
      const sse = await SseReader.open(`${r.url}/api/recordings/events?streamId=2991615887188599295`);
      try {
        await sse.waitFor((m) => m.some((x) => x.event === 'ready'));
        // The example body of Tencent's "recording status event notification" (record_detail is a JSON string).
        const status = {
          appid: 123456789,
          appname: 'live',
          domain: 'push.example.livepush.myqcloud.com',
          event_time: 1700207929,
          event_type: 332,
          record_detail:
            '{"file_format":2,"record_bps":0,"start_model":1,"record_content":1,"source_type":2,"codec_temp_id":0}',
          record_event: 'record_start_failed',
          seq: '3266441426274648065',
          session_id: '2918085116267032069',
          stream_id: '2991615887188599295',
        };
        assert.equal((await postCallback(r.url, signed(KEY, status))).status, 200);
        assert.equal((await postCallback(r.url, signed(KEY, status, 500))).status, 200); // a retry: stored once
        await sse.waitFor(() => sse.statuses().length === 1);
        assert.deepEqual(sse.statuses()[0], {
          streamId: '2991615887188599295',
          recordId: null,
          status: 'record_start_failed',
          message: 'Recording could not start.',
          time: 1700207929,
        });
        assert.equal((await listRecordings(r, '?streamId=2991615887188599295')).recordings.length, 0);
        assert.equal((await queryDb(r.dataDir, 'SELECT 1 FROM statuses')).length, 1);

        // A client that was away gets the status it missed when it resumes.
        const lastId = sse.messages.find((m) => m.event === 'ready')?.id ?? '0';
        const resumed = await SseReader.untilReady(
          `${r.url}/api/recordings/events?streamId=2991615887188599295`,
          { 'Last-Event-ID': lastId },
        );
        assert.deepEqual(
          resumed.statuses().map((s) => s.status),
          ['record_start_failed'],
        );
      } finally {
        sse.close();
      }
    });
  });
});

test('a database of the previous version (integer record ids) is migrated: ids become text and stay filterable', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'receiver-migrate-'));
  const db = new Database(join(dataDir, 'receiver.sqlite'));
  // Version 1 of the schema, exactly as the previous receiver created it, with one integer record id.
  db.exec(`CREATE TABLE notifications (seq INTEGER PRIMARY KEY AUTOINCREMENT, identity TEXT NOT NULL UNIQUE,
     event_type INTEGER NOT NULL, stream_id TEXT, received_at INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE TABLE recordings (seq INTEGER PRIMARY KEY REFERENCES notifications(seq), stream_id TEXT NOT NULL,
     record_id INTEGER, file_format TEXT NOT NULL, start_time NUMERIC NOT NULL, end_time NUMERIC NOT NULL,
     duration NUMERIC NOT NULL, file_size INTEGER NOT NULL, url TEXT NOT NULL, web INTEGER NOT NULL);
   CREATE INDEX recordings_newest ON recordings(web, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_record ON recordings(record_id, start_time DESC, seq DESC);
   CREATE INDEX recordings_by_stream ON recordings(stream_id, start_time DESC, seq DESC);
   INSERT INTO notifications VALUES (1, '100:old-1', 100, 'old', 1, '{}');
   INSERT INTO recordings VALUES (1, 'old', 777, 'mp4', 10, 20, 10, 5, 'http://h/old.mp4', 1);
   PRAGMA user_version = 1;`);
  db.close();
  const r = await startReceiver({ key: KEY, dataDir, store: 'sqlite' });
  try {
    const page = await listRecordings(r, '?recordId=777');
    assert.equal(page.recordings.length, 1);
    assert.equal(page.recordings[0].recordId, '777');
    assert.equal(page.recordings[0].url, 'http://h/old.mp4');
    // The retry of the old notification is still a duplicate; new string ids sit next to the old ones.
    const retry = recordingNotification('old-1', { stream_id: 'old', userdefinerecordid: 777 });
    assert.equal((await postCallback(r.url, signed(KEY, retry))).status, 200);
    assert.equal(await notificationCount(dataDir), 1);
  } finally {
    await r.stop();
  }
});
