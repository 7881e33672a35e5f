import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PTS_WRAP_MS,
  firstVideoPtsMs,
  unwrapPts,
  withProgramDates,
} from '../../../server/relay/relay/hls-dates.ts';
import { tempDir } from './support.ts';

const scratch = tempDir('hls-dates-');
after(() => scratch.remove());

test('the first video PTS of an MPEG-TS segment is read from its packets, audio and tables skipped', () => {
  // audio and video interleaved, the video starting 12.345 s in, as the relay's -copyts muxer writes them
  const file = join(scratch.dir, 'seg.ts');
  execFileSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine',
    '-t', '1', '-c:v', 'libx264', '-bf', '0', '-c:a', 'aac', '-output_ts_offset', '12.345',
    '-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts', file,
  ]); // prettier-ignore
  const bytes = readFileSync(file);
  const probed = Number(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts_time',
      '-of', 'csv=p=0', '-read_intervals', '%+#1', file]).toString().split(',')[0], // prettier-ignore
  );
  assert.ok(
    Math.abs(firstVideoPtsMs(bytes)! - probed * 1000) < 0.05,
    `${firstVideoPtsMs(bytes)} vs ${probed}`,
  );
  assert.ok(Math.abs(probed - 12.345) < 0.01);
  assert.equal(firstVideoPtsMs(bytes.subarray(0, 188)), null, 'a PAT alone has no PTS');
  assert.equal(
    firstVideoPtsMs(Buffer.from('not a transport stream at all, not even close'.repeat(10))),
    null,
  );
});

test('program dates go before each dated segment; undated ones and dated playlists are left alone', () => {
  const playlist =
    '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.000000,\ns/seg4.ts\n#EXTINF:0.960000,\ns/seg5.ts\n';
  const dated = withProgramDates(playlist, (uri) =>
    uri === 's/seg4.ts' ? Date.UTC(2026, 11, 3, 12, 0, 0, 250) : null,
  );
  assert.equal(
    dated,
    '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PROGRAM-DATE-TIME:2026-12-03T12:00:00.250Z\n#EXTINF:1.000000,\ns/seg4.ts\n#EXTINF:0.960000,\ns/seg5.ts\n',
  );
  assert.equal(
    withProgramDates(dated, () => 0),
    dated,
  );
});

test('a PTS past its 33-bit wrap is placed next to the hub’s latest timestamp', () => {
  assert.equal(unwrapPts(5000, 6000), 5000);
  const late = PTS_WRAP_MS + 4000; // 26.5 h into a push
  assert.ok(Math.abs(unwrapPts(3000, late) - (PTS_WRAP_MS + 3000)) < 1e-6);
  assert.ok(Math.abs(unwrapPts(PTS_WRAP_MS - 1000, PTS_WRAP_MS + 500) - (PTS_WRAP_MS - 1000)) < 1e-6);
});
