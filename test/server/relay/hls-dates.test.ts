import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PTS_WRAP_MS,
  segmentStartPtsMs,
  unwrapPts,
  withProgramDates,
} from '../../../server/relay/relay/hls-dates.ts';
import { tempDir } from './support.ts';

const scratch = tempDir('hls-dates-');
after(() => scratch.remove());

/** The first packet's PTS (s) of a stream kind in an MPEG-TS file, by ffprobe. */
function probedStart(file: string, kind: 'v' | 'a'): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', kind, '-show_entries', 'packet=pts_time',
    '-of', 'csv=p=0', '-read_intervals', '%+#1', file]); // prettier-ignore
  return Number(out.toString().split(/[,\n]/)[0]);
}

test('a segment starts at the earliest PTS of its first audio and video, read from its packets', () => {
  const make = (name: string, extra: string[], videoDelay = '0'): string => {
    const file = join(scratch.dir, name);
    // audio and video interleaved and starting 12.345 s in, as the relay's -copyts muxer writes them
    execFileSync('ffmpeg', [
      '-v', 'error', '-itsoffset', videoDelay, '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine',
      '-t', '1', '-c:v', 'libx264', '-bf', '0', '-c:a', 'aac', ...extra, '-output_ts_offset', '12.345',
      '-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts', file,
    ]); // prettier-ignore
    return file;
  };
  // audio ahead of the keyframe by 0.2 s (as a segment boundary leaves it): the segment starts with the audio
  const early = make('early-audio.ts', [], '0.2');
  const v = probedStart(early, 'v');
  const a = probedStart(early, 'a');
  assert.ok(v - a > 0.15, `audio first: ${a} < ${v}`);
  assert.ok(Math.abs(segmentStartPtsMs(readFileSync(early))! - Math.min(v, a) * 1000) < 0.05);
  const videoOnly = make('video-only.ts', ['-an']);
  assert.ok(
    Math.abs(segmentStartPtsMs(readFileSync(videoOnly))! - probedStart(videoOnly, 'v') * 1000) < 0.05,
  );
  assert.ok(Math.abs(probedStart(videoOnly, 'v') - 12.345) < 0.01);
  const audioOnly = make('audio-only.ts', ['-vn']);
  assert.ok(
    Math.abs(segmentStartPtsMs(readFileSync(audioOnly))! - probedStart(audioOnly, 'a') * 1000) < 0.05,
  );
  assert.equal(segmentStartPtsMs(readFileSync(early).subarray(0, 188)), null, 'a PAT alone has no PTS');
  assert.equal(
    segmentStartPtsMs(Buffer.from('not a transport stream at all, not even close'.repeat(10))),
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
