// The HLS engine starts with hls.js's light build and takes the full one only for streams that need it. The order
// of the tests matters: modules are fetched once per page, so the first test proves that a plain stream never
// fetches the full build, and the second that an HEVC segment does.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import { playlistNeedsFullHls, segmentNeedsFullHls } from '../../src/player/engines/hls-features.js';
import { enforceAutoplayPolicy, mount, record, seesPlayback } from '../support/player.js';
import { until } from '../support/until.js';

const FULL = /\/hls\.js\/dist\/hls\.mjs$/;
const LIGHT = /\/hls\.js\/dist\/hls\.light\.mjs$/;
const fetched = (file: RegExp): boolean =>
  performance.getEntriesByType('resource').some((e) => file.test(new URL(e.name).pathname));

/** Bytes of audio the element has decoded (Chromium): more than zero once sound plays, muted or not. */
const audioBytes = (video: HTMLVideoElement): number =>
  (video as HTMLVideoElement & { webkitAudioDecodedByteCount?: number }).webkitAudioDecodedByteCount ?? 0;

describe('<relay-player> HLS: light and full hls.js', () => {
  it('plays a plain HLS stream with the light build and never downloads the full one', async () => {
    const { el, rec } = await mount({ src: '/media/rec/index.m3u8?plain', autoplay: true, muted: true });
    await seesPlayback(el);
    expect(el.engine).to.equal('hls.js');
    await until('sound', () => audioBytes(el.media as HTMLVideoElement) > 0);
    expect(fetched(LIGHT)).to.equal(true);
    expect(fetched(FULL)).to.equal(false);
    expect(rec.errors).to.deep.equal([]);
    el.remove();
  });

  it('takes the full build for HEVC in MPEG-TS: picture, or the browser says it cannot decode it', async () => {
    // the light build skips the HEVC stream of a TS segment (undeclared: no master playlist) and fails with a
    // parsing error; the full build remuxes it, then the browser plays it or refuses the codec (Chromium here)
    const { el, rec } = await mount({ src: '/media/features/hevc/index.m3u8', autoplay: true, muted: true });
    const video = el.media as HTMLVideoElement;
    await until('a picture or an error', () => video.videoWidth > 0 || rec.errors.length > 0, 15000);
    if (rec.errors.length) {
      expect(rec.errors[0]!.code).to.equal('MEDIA_ERROR');
      expect(rec.errors[0]!.message).to.contain("This browser cannot decode the HLS stream's codecs");
    } else await seesPlayback(el);
    expect(fetched(FULL)).to.equal(true);
    el.remove();
  });

  it('plays an alternate audio rendition (EXT-X-MEDIA in the first playlist): picture and sound', async () => {
    // the light build would play the video-only variant without a sound
    const { el, rec } = await mount({ src: '/media/features/altaudio.m3u8', autoplay: true, muted: true });
    await seesPlayback(el);
    const video = el.media as HTMLVideoElement;
    expect(video.videoWidth).to.equal(320);
    await until('sound from the audio rendition', () => audioBytes(video) > 0);
    expect(fetched(FULL)).to.equal(true);
    expect(rec.errors).to.deep.equal([]);
    el.remove();
  });

  it('moves to the full build when a later media playlist needs it (EXT-X-DEFINE), and plays', async () => {
    // the master is plain (the light build starts); its media playlist names segments through a variable,
    // which the light build would request literally ("{$base}seg000.m2ts", a 404)
    const { el, rec } = await mount({ src: '/media/features/define.m3u8', autoplay: true, muted: true });
    await seesPlayback(el, 2);
    expect((el.media as HTMLVideoElement).videoWidth).to.equal(320);
    expect(rec.errors).to.deep.equal([]);
    el.remove();
  });

  it('shows closed captions carried in the video (CEA-608), which only the full build renders', async () => {
    // nothing in the playlist declares them: the light build parses them, the engine then moves to the full build
    const { el, rec } = await mount({ src: '/media/features/cc/index.m3u8', autoplay: true, muted: true });
    await seesPlayback(el);
    const video = el.media as HTMLVideoElement;
    const cueText = (): string =>
      [...video.textTracks]
        .flatMap((t) => (t.mode === 'disabled' ? [] : [...(t.cues ?? [])]))
        .map((c) => (c as VTTCue).text)
        .join(' ');
    await until('a caption cue', () => /HELLO/.test(cueText()), 15000);
    expect(rec.errors).to.deep.equal([]);
    el.remove();
  });

  it('keeps muted autoplay (with Unmute) across the move to the full build when the browser blocks sound', async () => {
    // the move reloads the media element while the session's muted play() waits for data: that play() is aborted,
    // which must not read as "autoplay blocked"
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('relay-player');
    el.setAttribute('src', '/media/features/define.m3u8?policy');
    el.setAttribute('autoplay', '');
    enforceAutoplayPolicy(el, true);
    const rec = record(el);
    host.append(el);
    await seesPlayback(el);
    expect(el.media!.muted).to.equal(true);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[part=unmute-button]')).to.not.equal(null);
    expect(el.shadowRoot!.querySelector('button[part=play-button]')).to.equal(null);
    expect(rec.errors).to.deep.equal([]);
    el.remove();
  });

  it('tells from a playlist line whether the light build can play it', () => {
    const needs = (lines: string[]) => playlistNeedsFullHls(['#EXTM3U', ...lines, ''].join('\n'));
    const variant = '#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS="avc1.64001f,mp4a.40.2"';
    expect(needs([variant, 'v.m3u8'])).to.equal(null);
    expect(needs(['#EXT-X-KEY:METHOD=AES-128,URI="k"', '#EXTINF:2,', 's.ts'])).to.equal(null);
    expect(needs(['#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k",KEYFORMAT="identity"'])).to.equal(null);
    expect(needs(['#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="v",NAME="cam"'])).to.equal(null);
    expect(needs(['#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="a.m3u8"'])).to.match(/TYPE=AUDIO/);
    expect(needs(['#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="en",URI="s.m3u8"'])).to.match(/SUBTITLES/);
    expect(needs(['#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="c",NAME="cc",INSTREAM-ID="CC1"'])).to.be.a(
      'string',
    );
    expect(
      needs([
        '#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://x",KEYFORMAT="com.apple.streamingkeydelivery"',
      ]),
    ).to.be.a('string');
    expect(
      needs([
        '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:x",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"',
      ]),
    ).to.be.a('string');
    expect(needs(['#EXT-X-DEFINE:NAME="base",VALUE="https://cdn/"'])).to.equal('#EXT-X-DEFINE');
    expect(
      needs([
        '#EXT-X-DATERANGE:ID="ad",CLASS="com.apple.hls.interstitial",START-DATE="2026-01-01T00:00:00Z"',
      ]),
    ).to.be.a('string');
    expect(needs(['#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="hvc1.1.6.L93.B0,mp4a.40.2"', 'v.m3u8'])).to.be.a(
      'string',
    );
    expect(needs(['#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1.64001f,ec-3"', 'v.m3u8'])).to.be.a('string');
  });

  it('tells from the first bytes of an MPEG-TS segment whether its codecs need the full build', async () => {
    const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(segmentNeedsFullHls(await bytes('/media/rec/seg000.m2ts'))).to.equal(null);
    expect(segmentNeedsFullHls(await bytes('/media/features/hevc/seg000.m2ts'))).to.equal(
      'stream type 0x24 in MPEG-TS',
    );
    expect(segmentNeedsFullHls(await bytes('/media/features/ac3.m2ts'))).to.equal(
      'stream type 0x81 in MPEG-TS',
    );
    // not MPEG-TS (an fMP4 or AAC segment): nothing to say
    expect(segmentNeedsFullHls(await bytes('/media/av.mp4'))).to.equal(null);
  });
});
