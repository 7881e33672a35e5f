// Media fixtures for the player tests and benches: generated once with ffmpeg (small: 320x240, 15 fps, 10 s) into
// test/fixtures/media/ (gitignored), then served by a plain Node request handler under /media/:
//   /media/av.flv /media/audio.flv /media/av.mp4 /media/a.mp3 /media/vod/index.m3u8   files (VOD)
//   /media/live.flv                 endless "live" FLV, paced by tag timestamps, GOP-cached start like a CDN;
//                                   `?hiccup=N`: every N s the data stops for 3 s, then arrives in a burst
//   /media/live.m3u8                live HLS: 6-segment sliding window over the VOD segments, time-based sequence;
//                                   `?window=N`: N segments (1 s each) instead, a window to seek back in (DVR)
//   /media/cut.flv?id=X&after=3&down=2   live FLV that is cut (socket destroyed) after `after` s, answers 404
//                                   for `down` s, then streams again (per id)
//   /media/end.flv?id=X&after=3&down=6   live FLV whose response ENDS cleanly after `after` s (a broadcast that
//                                   stops), answers 404 for `down` s, then streams again (per id)
//   /media/end.m3u8?id=X&after=3    live HLS that closes with #EXT-X-ENDLIST `after` s after its first request
//   /media/gone.m3u8?id=X&after=3&down=600   live HLS whose playlist answers 404 from `after` s after its first
//                                   request, for `down` s (the broadcast stopped, then started again)
//   /media/rec.mp4 /media/rec/index.m3u8   a 12 s recording (MP4, HLS VOD, 1 s segments)
//   /media/abr.m3u8                 two-level HLS VOD master: rec/ (320x240) and rec-low/ (160x120), 12 s
//   /media/features/…               HLS that hls.js's light build cannot play (the engine then takes the full one):
//     altaudio.m3u8                 master, video-only variant + alternate audio rendition (EXT-X-MEDIA TYPE=AUDIO)
//     define.m3u8                   plain master whose media playlist names its segments with EXT-X-DEFINE
//     hevc/index.m3u8               media playlist of HEVC + AAC in MPEG-TS (no master to declare the codec)
//     ac3.m2ts                      one MPEG-TS segment of H.264 + AC-3
//     cc/index.m3u8                 video with CEA-608 captions in its SEI (roll-up "HELLO"), undeclared
//   /media/controls/…               for the player's controls (made from the recording):
//     subs-en.vtt subs-zh.vtt       WebVTT subtitles of rec.mp4 ("One", "Two", "Three" / "一", "二", "三", 4 s each)
//     subs.m3u8                     rec/ with two WebVTT subtitle renditions (EXT-X-MEDIA TYPE=SUBTITLES, en + zh)
//     thumbs.jpg thumbs.vtt         a 4x3 sprite of 80x60 frames, one a second, and its WebVTT (`#xywh=`)
//     rec-low.mp4                   the recording at 160x120 (a second quality of rec.mp4)
//   /media/live.flv?q=low           the live FLV at 160x120, 80 kbit/s, on the same clock (a second quality)
//   /media/stats?id=X               {"requests", "open", "endedAt", "lastUrl"} for the cut/end/live endpoints of that id
//                                   (and for files asked for with ?id=X)
//   anything else under /media/     404
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  createReadStream,
} from 'node:fs';
import { join, extname } from 'node:path';

const VERSION = '3';
const REC_VERSION = '1';
export const mediaDir = new URL('../fixtures/media/', import.meta.url).pathname;

function ff(args) {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    cwd: mediaDir,
    stdio: 'inherit',
  });
}

/** Generates the fixtures unless they are already there (same version). One encode, then cheap remuxes. */
export function ensureFixtures() {
  const stamp = join(mediaDir, 'VERSION');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === VERSION) return;
  mkdirSync(join(mediaDir, 'vod'), { recursive: true });
  ff([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=15',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100',
    '-t',
    '10',
    '-threads',
    '1',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-profile:v',
    'baseline',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '15',
    '-keyint_min',
    '15',
    '-sc_threshold',
    '0',
    '-b:v',
    '300k',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-ac',
    '1',
    'av.flv',
  ]);
  ff(['-i', 'av.flv', '-c', 'copy', '-movflags', '+faststart', 'av.mp4']);
  ff(['-i', 'av.flv', '-vn', '-c:a', 'copy', 'audio.flv']);
  ff(['-i', 'av.flv', '-vn', '-c:a', 'libmp3lame', '-b:a', '64k', 'a.mp3']);
  ff([
    '-i',
    'av.flv',
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '1',
    '-hls_list_size',
    '0',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_type',
    'mpegts',
    '-hls_segment_filename',
    'vod/seg%03d.m2ts',
    'vod/index.m3u8',
  ]);
  writeFileSync(stamp, VERSION);
}

/** The 12 s recording in two renditions (for seeking and quality tests); its own stamp, so it is made once. */
function ensureRecordingFixtures() {
  const stamp = join(mediaDir, 'VERSION-rec');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === REC_VERSION) return;
  mkdirSync(join(mediaDir, 'rec'), { recursive: true });
  mkdirSync(join(mediaDir, 'rec-low'), { recursive: true });
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p'];
  const gop = ['-g', '15', '-keyint_min', '15', '-sc_threshold', '0', '-threads', '1'];
  const src = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=330'];
  const hls = (dir) => [
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'mpegts', '-hls_segment_filename', `${dir}/seg%03d.m2ts`, `${dir}/index.m3u8`,
  ];
  ff([...src, '-t', '12', ...x264, ...gop, '-b:v', '300k', '-c:a', 'aac', '-b:a', '64k', '-ac', '1', 'rec.flv']);
  ff(['-i', 'rec.flv', '-c', 'copy', '-movflags', '+faststart', 'rec.mp4']);
  ff(['-i', 'rec.flv', '-c', 'copy', ...hls('rec')]);
  ff(['-i', 'rec.flv', '-vf', 'scale=160:120', ...x264, ...gop, '-b:v', '80k', '-c:a', 'copy', ...hls('rec-low')]);
  writeFileSync(
    join(mediaDir, 'abr.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-STREAM-INF:BANDWIDTH=420000,RESOLUTION=320x240',
      'rec/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=160000,RESOLUTION=160x120',
      'rec-low/index.m3u8',
      '',
    ].join('\n'),
  );
  writeFileSync(stamp, REC_VERSION);
}

const FEATURES_VERSION = '4';
/** HLS that needs hls.js's full build (see the header), made from the recording; its own stamp. */
function ensureFeatureFixtures() {
  const stamp = join(mediaDir, 'VERSION-features');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === FEATURES_VERSION) return;
  for (const d of ['features/video', 'features/audio', 'features/define', 'features/hevc', 'features/cc'])
    mkdirSync(join(mediaDir, d), { recursive: true });
  const hls = (dir) => [
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'mpegts', '-hls_segment_filename', `${dir}/seg%03d.m2ts`, `${dir}/index.m3u8`,
  ];
  ff(['-i', 'rec.flv', '-an', '-c:v', 'copy', ...hls('features/video')]);
  ff(['-i', 'rec.flv', '-vn', '-c:a', 'copy', ...hls('features/audio')]);
  writeFileSync(
    join(mediaDir, 'features/altaudio.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Main",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=420000,RESOLUTION=320x240,CODECS="avc1.42c00d,mp4a.40.2",AUDIO="aud"',
      'video/index.m3u8',
      '',
    ].join('\n'),
  );
  // the recording's own segments, named through a variable
  const rec = readFileSync(join(mediaDir, 'rec/index.m3u8'), 'utf8');
  writeFileSync(
    join(mediaDir, 'features/define/index.m3u8'),
    rec
      .replace('#EXTM3U\n', '#EXTM3U\n#EXT-X-DEFINE:NAME="base",VALUE="../../rec/"\n')
      .replace(/^seg(\d+)\.m2ts$/gm, '{$base}seg$1.m2ts'),
  );
  writeFileSync(
    join(mediaDir, 'features/define.m3u8'),
    ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=420000,RESOLUTION=320x240', 'define/index.m3u8', ''].join('\n'),
  );
  ff([
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=550', '-t', '6',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=15:min-keyint=15',
    '-pix_fmt', 'yuv420p', '-threads', '1', '-c:a', 'aac', '-b:a', '64k', '-ac', '1', ...hls('features/hevc'),
  ]);
  // CEA-608 captions ("HELLO") in the H.264 stream's SEI, as a TV relay carries them; nothing in the playlist says so
  const annexB = join(mediaDir, 'features/cc.h264');
  ff(['-i', 'rec.flv', '-t', '4', '-an', '-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', 'features/cc.h264']);
  writeFileSync(annexB, withCaptions(readFileSync(annexB), 'HELLO'));
  ff(['-framerate', '15', '-i', 'features/cc.h264', '-c', 'copy', ...hls('features/cc')]);
  // one AC-3 segment (the light build would play its picture without sound, and say nothing)
  ff(['-i', 'rec.flv', '-t', '1', '-c:v', 'copy', '-c:a', 'ac3', '-f', 'mpegts', '-mpegts_m2ts_mode', '0', 'features/ac3.m2ts']);
  writeFileSync(stamp, FEATURES_VERSION);
}

const CONTROLS_VERSION = '2';
const vttTime = (s) => `00:${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(3).padStart(6, '0')}`;
/** Subtitles and seek thumbnails for the recording (see the header); their own stamp. */
function ensureControlsFixtures() {
  const stamp = join(mediaDir, 'VERSION-controls');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === CONTROLS_VERSION) return;
  mkdirSync(join(mediaDir, 'controls/subs'), { recursive: true });
  const vtt = (words, offset = '') =>
    ['WEBVTT', ...(offset ? [offset] : []), '']
      .concat(words.flatMap((w, i) => [`${vttTime(i * 4)} --> ${vttTime(i * 4 + 4)}`, w, '']))
      .join('\n');
  const en = ['One', 'Two', 'Three'];
  const zh = ['一', '二', '三'];
  writeFileSync(join(mediaDir, 'controls/subs-en.vtt'), vtt(en));
  writeFileSync(join(mediaDir, 'controls/subs-zh.vtt'), vtt(zh));
  // HLS WebVTT segments say where they sit on the MPEG-TS clock (X-TIMESTAMP-MAP): the video's first PTS
  const start = Number(
    execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', 'rec/seg000.m2ts'], {
      cwd: mediaDir,
    }).toString(),
  );
  const map = `X-TIMESTAMP-MAP=MPEGTS:${Math.round(start * 90000)},LOCAL:00:00:00.000`;
  for (const [lang, words] of [['en', en], ['zh', zh]]) {
    writeFileSync(join(mediaDir, `controls/subs/${lang}.vtt`), vtt(words, map));
    writeFileSync(
      join(mediaDir, `controls/subs/${lang}.m3u8`),
      ['#EXTM3U', '#EXT-X-TARGETDURATION:12', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:12.0,', `${lang}.vtt`, '#EXT-X-ENDLIST', ''].join('\n'),
    );
  }
  writeFileSync(
    join(mediaDir, 'controls/subs.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,URI="subs/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="中文",LANGUAGE="zh",DEFAULT=NO,AUTOSELECT=NO,URI="subs/zh.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=420000,RESOLUTION=320x240,SUBTITLES="subs"',
      '../rec/index.m3u8',
      '',
    ].join('\n'),
  );
  // one frame a second, 80x60, four to a row (video.js / media-chrome thumbnail tracks)
  ff(['-i', 'rec.flv', '-vf', 'fps=1,scale=80:60,tile=4x3', '-frames:v', '1', '-q:v', '5', 'controls/thumbs.jpg']);
  const cues = Array.from({ length: 12 }, (_, i) => [
    `${vttTime(i)} --> ${vttTime(i + 1)}`,
    `thumbs.jpg#xywh=${(i % 4) * 80},${Math.floor(i / 4) * 60},80,60`,
    '',
  ]);
  writeFileSync(join(mediaDir, 'controls/thumbs.vtt'), ['WEBVTT', '', ...cues.flat()].join('\n'));
  // second qualities: the same streams, smaller (same GOP, same timestamps)
  const low = ['-vf', 'scale=160:120', '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline'];
  const lowGop = ['-pix_fmt', 'yuv420p', '-g', '15', '-keyint_min', '15', '-sc_threshold', '0', '-b:v', '80k'];
  ff(['-i', 'rec.flv', ...low, ...lowGop, '-threads', '1', '-c:a', 'copy', '-movflags', '+faststart', 'controls/rec-low.mp4']);
  ff(['-i', 'av.flv', ...low, '-tune', 'zerolatency', ...lowGop, '-threads', '1', '-c:a', 'copy', 'controls/av-low.flv']);
  writeFileSync(stamp, CONTROLS_VERSION);
}

/** `b` with odd parity in bit 7, as CEA-608 sends every byte. */
const odd = (b) => {
  let ones = 0;
  for (let x = b & 0x7f; x; x >>= 1) ones += x & 1;
  return ones % 2 ? b & 0x7f : b | 0x80;
};

/**
 * An H.264 Annex B stream with one CEA-608 byte pair (field 1) in an SEI before every picture: roll-up captions that
 * show `text` from the 7th frame and erase it at the 21st, every 4 s (ATSC A/53 `GA94` user data, as broadcasters send it).
 */
function withCaptions(h264, text) {
  const chars = [...text].map((c) => c.charCodeAt(0));
  const pairs = [
    [0x14, 0x25], [0x14, 0x25], // RU2: roll-up, two rows (control codes go twice)
    [0x14, 0x70], [0x14, 0x70], // PAC: row 15, column 0
  ];
  for (let i = 0; i < chars.length; i += 2) pairs.push([chars[i], chars[i + 1] ?? 0]);
  while (pairs.length < 20) pairs.push([0, 0]);
  pairs.push([0x14, 0x2d], [0x14, 0x2d], [0x14, 0x2c], [0x14, 0x2c]); // CR, EDM: the line is done
  const sei = (a, b) =>
    Buffer.from([0, 0, 0, 1, 0x06, 0x04, 14, 0xb5, 0x00, 0x31, 0x47, 0x41, 0x39, 0x34, 0x03, 0x41, 0xff,
      0xfc, odd(a), odd(b), 0xff, 0x80]);
  const out = [];
  let frame = 0;
  let last = 0;
  for (let i = 0; i + 4 < h264.length; i++) {
    if (h264[i] !== 0 || h264[i + 1] !== 0 || h264[i + 2] !== 1) continue;
    const type = h264[i + 3] & 0x1f;
    if (type !== 1 && type !== 5) continue;
    const start = i > 0 && h264[i - 1] === 0 ? i - 1 : i; // the start code, 3 or 4 bytes
    out.push(h264.subarray(last, start));
    const [a, b] = pairs[frame % 60] ?? [0, 0]; // then null pairs until the next 4 s
    out.push(sei(a, b));
    last = start;
    frame += 1;
  }
  out.push(h264.subarray(last));
  return Buffer.concat(out);
}

// ---- FLV parsing (enough to re-time and pace tags) ----
function parseFlv(buf) {
  const headerLen = buf.readUInt32BE(5);
  const header = Buffer.concat([buf.subarray(0, headerLen), Buffer.alloc(4)]);
  const init = [];
  const media = [];
  let off = headerLen + 4;
  while (off + 11 <= buf.length) {
    const type = buf[off];
    const size = buf.readUIntBE(off + 1, 3);
    const ts = buf.readUIntBE(off + 4, 3) | (buf[off + 7] << 24);
    const end = off + 11 + size + 4;
    if (end > buf.length) break;
    const tag = buf.subarray(off, end);
    const d0 = buf[off + 11];
    const d1 = buf[off + 12];
    if (type === 9 && (d0 & 0x0f) === 7 && d1 === 0) init.push(tag);
    else if (type === 8 && d0 >> 4 === 10 && d1 === 0) init.push(tag);
    else if (type === 8 || type === 9)
      media.push({ tag, ts, key: type === 9 && d0 >> 4 === 1, video: type === 9 });
    // script tags (onMetaData with a duration) are dropped: a live stream has none
    off = end;
  }
  const last = media[media.length - 1];
  const loopMs = Math.ceil((last.ts + 67) / 100) * 100;
  return { header, init, media, loopMs };
}

function retime(tag, ts) {
  const t = Buffer.from(tag);
  t.writeUIntBE(ts & 0xffffff, 4, 3);
  t[7] = (ts >>> 24) & 0xff;
  return t;
}

const TYPES = {
  '.flv': 'video/x-flv',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m2ts': 'video/mp2t',
  '.vtt': 'text/vtt',
  '.jpg': 'image/jpeg',
};

/**
 * Returns `{ handle(req, res): boolean, close() }`. `handle` answers every /media/ request and returns false for
 * other paths. `close` ends every open live response and timer.
 */
export function createMediaServer() {
  ensureFixtures();
  ensureRecordingFixtures();
  ensureFeatureFixtures();
  ensureControlsFixtures();
  const flvs = {
    '': parseFlv(readFileSync(join(mediaDir, 'av.flv'))),
    low: parseFlv(readFileSync(join(mediaDir, 'controls/av-low.flv'))),
  };
  const vodSegs = readdirSync(join(mediaDir, 'vod'))
    .filter((f) => f.endsWith('.m2ts'))
    .sort();
  const vodDurations = readFileSync(join(mediaDir, 'vod/index.m3u8'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('#EXTINF:'))
    .map((l) => parseFloat(l.slice(8)));
  const segMs = Math.round((vodDurations.reduce((a, b) => a + b, 0) / vodDurations.length) * 1000);
  // the live clock started a while ago, so the HLS window is full from the first request
  const t0 = Date.now() - 20000;
  const open = new Set();
  const stats = new Map(); // id -> { requests, open, cutAt }
  const statFor = (id) => {
    if (!stats.has(id)) stats.set(id, { requests: 0, open: 0, cutAt: 0 });
    return stats.get(id);
  };

  function streamLiveFlv(req, res, { cutAfterMs = 0, stat = null, hiccupEveryMs = 0, clean = false, flv = flvs[''] } = {}) {
    res.writeHead(200, {
      'content-type': 'video/x-flv',
      'cache-control': 'no-cache',
      'access-control-allow-origin': '*',
    });
    const connectedAt = Date.now();
    const elapsed = connectedAt - t0;
    let loop = Math.floor(elapsed / flv.loopMs);
    const pos = elapsed % flv.loopMs;
    let i = 0;
    for (let k = 0; k < flv.media.length && flv.media[k].ts <= pos; k++) if (flv.media[k].key) i = k;
    res.write(Buffer.concat([flv.header, ...flv.init.map((t) => retime(t, loop * flv.loopMs))]));
    const pump = () => {
      // a network hiccup: every `hiccupEveryMs`, nothing is sent for 3 s, then the backlog arrives at once
      const since = Date.now() - connectedAt;
      if (hiccupEveryMs && since > 3000 && since % hiccupEveryMs >= hiccupEveryMs - 3000) return;
      const now = Date.now() - t0;
      const out = [];
      for (;;) {
        if (i >= flv.media.length) {
          i = 0;
          loop += 1;
        }
        const m = flv.media[i];
        const at = loop * flv.loopMs + m.ts;
        if (at > now) break;
        out.push(retime(m.tag, at));
        i += 1;
      }
      if (out.length) res.write(Buffer.concat(out));
      if (cutAfterMs && Date.now() - connectedAt >= cutAfterMs) {
        if (stat) stat.cutAt = Date.now();
        clearInterval(timer);
        // a clean end (the broadcast stopped) or a break (the connection dropped)
        if (clean) res.end();
        else res.destroy();
      }
    };
    const timer = setInterval(pump, 40);
    pump();
    const entry = { close: () => res.destroy() };
    open.add(entry);
    if (stat) stat.open += 1;
    res.on('close', () => {
      clearInterval(timer);
      open.delete(entry);
      if (stat) stat.open -= 1;
    });
  }

  function livePlaylist(endAfterMs = 0, firstAt = 0, W = 6) {
    const n = vodSegs.length;
    const produced = Math.floor((Date.now() - t0) / segMs); // segments fully available
    const first = Math.max(0, produced - W);
    const discSeq = first >= 1 ? Math.floor((first - 1) / n) : 0;
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(...vodDurations))}`,
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${discSeq}`,
    ];
    for (let m = first; m < produced; m++) {
      if (m > 0 && m % n === 0) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXTINF:${vodDurations[m % n].toFixed(3)},`, `live/seg-${m}.m2ts`);
    }
    if (endAfterMs && Date.now() - firstAt >= endAfterMs) lines.push('#EXT-X-ENDLIST');
    return lines.join('\n') + '\n';
  }

  function sendFile(res, file, range = null) {
    let size;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return notFound(res);
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const common = { 'content-type': type, 'cache-control': 'no-cache', 'accept-ranges': 'bytes', 'access-control-allow-origin': '*' };
    // byte ranges, as any static file server answers them (a browser seeks in an MP4 with them)
    const m = range && /^bytes=(\d*)-(\d*)$/.exec(range);
    if (m && (m[1] || m[2])) {
      const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
      const end = m[1] && m[2] ? Math.min(size - 1, Number(m[2])) : size - 1;
      res.writeHead(206, { ...common, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...common, 'content-length': size });
    createReadStream(file).pipe(res);
  }

  function notFound(res) {
    res.writeHead(404, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    res.end('not found');
  }

  function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const p = url.pathname;
    if (!p.startsWith('/media/')) return false;
    const name = p.slice('/media/'.length);
    const id = url.searchParams.get('id') ?? '';
    if (name === 'stats') {
      const s = statFor(id);
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(JSON.stringify({ requests: s.requests, open: s.open, endedAt: s.cutAt, lastUrl: s.lastUrl }));
    } else if (name === 'live.flv') {
      const s = statFor(id);
      s.requests += 1;
      s.lastUrl = req.url;
      streamLiveFlv(req, res, {
        stat: s,
        hiccupEveryMs: Number(url.searchParams.get('hiccup') ?? 0) * 1000,
        flv: flvs[url.searchParams.get('q') ?? ''] ?? flvs[''],
      });
    } else if (name === 'cut.flv' || name === 'end.flv') {
      // cut.flv breaks (the socket is destroyed), end.flv ends cleanly (the broadcast stopped)
      const clean = name === 'end.flv';
      const s = statFor(id);
      s.requests += 1;
      const after = Number(url.searchParams.get('after') ?? 3) * 1000;
      const down = Number(url.searchParams.get('down') ?? (clean ? 6 : 2)) * 1000;
      if (s.cutAt && Date.now() - s.cutAt < down) return (notFound(res), true);
      // cut only once: after coming back the stream stays up
      streamLiveFlv(req, res, { cutAfterMs: s.cutAt ? 0 : after, stat: s, clean });
    } else if (name === 'gone.m3u8') {
      // the broadcast stops and its playlist disappears: 404 from `after` s after the first request, for `down` s
      const s = statFor(id);
      s.requests += 1;
      s.firstAt ||= Date.now();
      const after = Number(url.searchParams.get('after') ?? 3) * 1000;
      const down = Number(url.searchParams.get('down') ?? 600) * 1000;
      const since = Date.now() - s.firstAt;
      if (since >= after && since < after + down) {
        s.cutAt ||= s.firstAt + after;
        return (notFound(res), true);
      }
      res.writeHead(200, { 'content-type': TYPES['.m3u8'], 'cache-control': 'no-cache', 'access-control-allow-origin': '*' });
      res.end(livePlaylist());
    } else if (name === 'live.m3u8' || name === 'end.m3u8') {
      const s = statFor(id);
      s.requests += 1;
      s.firstAt ||= Date.now();
      const endAfter = name === 'end.m3u8' ? Number(url.searchParams.get('after') ?? 3) * 1000 : 0;
      res.writeHead(200, {
        'content-type': TYPES['.m3u8'],
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
      });
      res.end(livePlaylist(endAfter, s.firstAt, Number(url.searchParams.get('window') ?? 6)));
    } else if (/^live\/seg-\d+\.m2ts$/.test(name)) {
      const m = Number(name.match(/\d+/)[0]);
      sendFile(res, join(mediaDir, 'vod', vodSegs[m % vodSegs.length]));
    } else if (/^((vod|rec|rec-low|features(\/\w+)?|controls(\/\w+)?)\/)?[\w.-]+$/.test(name) && !name.startsWith('VERSION')) {
      if (id) statFor(id).requests += 1;
      sendFile(res, join(mediaDir, name), req.headers.range ?? null);
    } else {
      notFound(res);
    }
    return true;
  }

  return {
    handle,
    /** ms into the current live segment (HLS) / GOP cycle: benches start each variant at the same point */
    livePhase: () => (Date.now() - t0) % segMs,
    segMs,
    close() {
      for (const e of [...open]) e.close();
    },
  };
}
