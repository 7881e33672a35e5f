import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import { defaultLazyLoader } from '../../src/lazy/esm.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { sleep, until, uid } from '../support/until.js';
import { enforceAutoplayPolicy, mount, pressCentre, record, seesPlayback } from '../support/player.js';

async function stats(id: string): Promise<{ requests: number; open: number }> {
  return (await fetch(`/media/stats?id=${id}`)).json();
}

/** The built-in controls are fetched lazily on first use: wait until they are on screen. */
async function controlsShown(el: RelayPlayer): Promise<void> {
  await until(
    'controls',
    async () => (await el.updateComplete, el.shadowRoot!.querySelector('[part=controls]')),
  );
}

function shadowText(el: HTMLElement, selector: string): string | null {
  return el.shadowRoot!.querySelector(selector)?.textContent?.trim() ?? null;
}

describe('<relay-player> playback with real media', () => {
  it('plays a live HTTP-FLV stream with mpegts.js: picture decoded, time advances', async () => {
    const { el, rec } = await mount({ src: `/media/live.flv?id=${uid('flv')}`, autoplay: true, muted: true });
    await seesPlayback(el);
    expect(el.media!.videoWidth).to.equal(320);
    expect(el.media!.videoHeight).to.equal(240);
    expect(el.engine).to.equal('mpegts');
    expect(el.state).to.equal('playing');
    expect(el.protocol).to.equal('flv');
    expect(el.currentUrl).to.match(/live\.flv/);
    expect(rec.states.map((s) => s.state)).to.include.members(['loading', 'playing']);
    expect(rec.states.at(-1)).to.deep.equal({ state: 'playing', protocol: 'flv', url: el.currentUrl });
    expect(rec.errors).to.deep.equal([]);
  });

  it('reports live stats while an FLV stream plays: latency, bitrate, decoded frames, no reconnects', async () => {
    const { el } = await mount({ src: `/media/live.flv?id=${uid('stats')}`, autoplay: true, muted: true });
    expect(el.getStats()).to.deep.equal({
      latency: null,
      bitrate: null,
      droppedFrames: null,
      totalFrames: null,
      reconnects: 0,
    });
    await seesPlayback(el, 2);
    const s = await until('stats with a bitrate', () => (el.getStats().bitrate ? el.getStats() : null));
    expect(s.latency).to.be.a('number').within(0, 10);
    expect(s.bitrate).to.be.above(10_000);
    expect(s.totalFrames).to.be.above(10);
    expect(s.droppedFrames).to.be.a('number').at.least(0);
    expect(s.reconnects).to.equal(0);
  });

  it('takes its accent colour and corner radius from the page (--relay-accent, --relay-radius)', async () => {
    const { el } = await mount({ src: '/media/av.mp4?theme', controls: true, muted: true });
    await controlsShown(el);
    el.style.setProperty('--relay-accent', 'rgb(1, 2, 3)');
    el.style.setProperty('--relay-radius', '3px');
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="control-button"]')!;
    expect(getComputedStyle(button).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(el).borderTopLeftRadius).to.equal('3px');
  });

  it('draws its control icons as SVG, so they show without emoji fonts', async () => {
    const { el } = await mount({ src: '/media/av.mp4?icons', controls: true, muted: true });
    await controlsShown(el);
    const buttons = [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part~="control-button"]')];
    // play, mute, picture-in-picture, full screen
    expect(buttons).to.have.length(4);
    for (const b of buttons) {
      expect(b.querySelector('svg')).to.be.instanceOf(SVGSVGElement);
      expect(b.getAttribute('aria-label')).to.match(/\S/);
      expect(b.textContent!.trim()).to.equal('');
    }
  });

  it('plays an HLS VOD playlist with hls.js', async () => {
    const { el } = await mount({ src: '/media/vod/index.m3u8', autoplay: true, muted: true });
    await seesPlayback(el);
    expect(el.media!.videoWidth).to.equal(320);
    expect(el.engine).to.equal('hls.js');
    expect(el.protocol).to.equal('hls');
  });

  it('fetches the HLS playlist while hls.js itself loads, and hls.js plays from that answer', async () => {
    const id = uid('early');
    let requestsWhenEngineArrived = -1;
    // hls.js arrives late, as over a slow network: the playlist must not wait for it, nor be fetched twice
    setLazyModuleLoader('hls', async () => {
      const Hls = await defaultLazyLoader('hls');
      await sleep(400);
      requestsWhenEngineArrived = (await stats(id)).requests;
      return Hls;
    });
    try {
      const { el } = await mount({ src: `/media/rec/index.m3u8?id=${id}`, autoplay: true, muted: true });
      await seesPlayback(el);
      expect(el.engine).to.equal('hls.js');
      expect(requestsWhenEngineArrived).to.equal(1);
      expect((await stats(id)).requests).to.equal(1);
    } finally {
      setLazyModuleLoader('hls', null); // the default again (the light build first)
    }
  });

  it('moves on to the MP4 address when hls.js cannot be loaded, and plays it cleanly', async () => {
    // the player prepares the media element for hls.js while hls.js downloads: a failed download must leave
    // nothing behind that the next engine trips over
    setLazyModuleLoader('hls', async () => {
      await sleep(300);
      throw new Error('relay-widgets-hls.js could not be loaded (test)');
    });
    try {
      const { el, rec } = await mount({
        sources: JSON.stringify([
          { encode: 'hls', url: '/media/live.m3u8?engine-fails' },
          { encode: 'mp4', url: '/media/av.mp4?after-hls' },
        ]),
        autoplay: true,
        muted: true,
      });
      await seesPlayback(el);
      expect(el.engine).to.equal('native');
      expect(el.media!.currentSrc).to.match(/\/media\/av\.mp4\?after-hls$/);
      expect(rec.errors.map((e) => [e.code, e.fatal])).to.deep.equal([['ENGINE_LOAD_FAILED', false]]);
      expect(rec.errors[0]!.message).to.contain('relay-widgets-hls.js');
    } finally {
      setLazyModuleLoader('hls', null); // the default again (the light build first)
    }
  });

  it('still reports a missing HLS playlist when it was fetched early', async () => {
    const { el, rec } = await mount({ src: '/media/nothing-here.m3u8', autoplay: true, muted: true });
    await until('an error', () => rec.errors.length > 0);
    expect(rec.errors[0]!.code).to.equal('NOT_FOUND');
    expect(rec.errors[0]!.message).to.contain('404');
    el.remove();
  });

  it('plays a live (sliding-window) HLS playlist with hls.js', async () => {
    const { el } = await mount({ src: '/media/live.m3u8', autoplay: true, muted: true });
    await seesPlayback(el, 2);
    expect(el.media!.videoWidth).to.equal(320);
    expect(el.engine).to.equal('hls.js');
    expect(el.media!.duration).to.satisfy((d: number) => d === Infinity || d > 0);
  });

  it('plays an MP4 recording natively, going loading → playing once (no waiting flicker at the start)', async () => {
    const { el, rec } = await mount({ src: '/media/av.mp4?x=1', autoplay: true, muted: true });
    await seesPlayback(el, 2);
    expect(el.media!.videoWidth).to.equal(320);
    expect(el.engine).to.equal('native');
    expect(el.protocol).to.equal('mp4');
    expect(rec.states.map((s) => s.state)).to.deep.equal(['loading', 'playing']);
  });

  it('plays when a script sets `sources` before adding the player to the page', async () => {
    const { el } = await mount(
      {},
      { sources: [{ encode: 'hls', url: '/media/vod/index.m3u8' }], autoplay: true, muted: true },
    );
    await seesPlayback(el);
    expect(el.engine).to.equal('hls.js');
    expect(el.sources).to.deep.equal([{ encode: 'hls', url: '/media/vod/index.m3u8' }]);
  });

  it('plays an MP3 recording (audio only): time advances', async () => {
    const { el } = await mount({ src: '/media/a.mp3', autoplay: true, muted: true });
    await seesPlayback(el);
    expect(el.engine).to.equal('native');
    expect(el.protocol).to.equal('mp3');
    expect(el.media!.videoWidth).to.equal(0);
  });

  it('plays an audio-only FLV with mpegts.js', async () => {
    const { el } = await mount({
      sources: JSON.stringify([{ encode: 'flv', url: '/media/audio.flv' }]),
      autoplay: true,
      muted: true,
    });
    await seesPlayback(el);
    expect(el.engine).to.equal('mpegts');
    expect(el.media!.videoWidth).to.equal(0);
  });

  it('plays a recorded FLV file to its end and reports ended', async () => {
    const { el, rec } = await mount({ src: '/media/av.flv', autoplay: true, muted: true });
    await seesPlayback(el);
    el.media!.currentTime = 8.5;
    await until('ended', () => el.state === 'ended', 15000);
    expect(rec.states.map((s) => s.state)).to.not.include('reconnecting');
  });
});

describe('<relay-player> fallback', () => {
  it('skips RTMP with a reason, falls back from a 404 to the next source, and plays it', async () => {
    const sources = [
      { encode: 'hls', url: '/media/live.m3u8' },
      { encode: 'rtmp', url: 'rtmp://127.0.0.1/live/s1' },
      { encode: 'flv', url: '/media/missing.flv' },
    ];
    const { el, rec } = await mount({ sources: JSON.stringify(sources), autoplay: true, muted: true });
    await seesPlayback(el);
    expect(el.engine).to.equal('hls.js');
    expect(el.currentUrl).to.equal('/media/live.m3u8');
    expect(rec.fallbacks).to.have.length(2);
    expect(rec.fallbacks[0]!.from.url).to.equal('rtmp://127.0.0.1/live/s1');
    expect(rec.fallbacks[0]!.reason).to.match(/RTMP cannot be played/);
    // lowest latency first: the FLV was tried before HLS, failed with 404, and HLS came next
    expect(rec.fallbacks[1]!.from.url).to.equal('/media/missing.flv');
    expect(rec.fallbacks[1]!.to?.url).to.equal('/media/live.m3u8');
    expect(rec.fallbacks[1]!.reason).to.match(/404/);
    const nf = rec.errors.find((e) => e.code === 'NOT_FOUND');
    expect(nf).to.include({ module: 'player', fatal: false, url: '/media/missing.flv' });
    expect(rec.states.filter((s) => s.state === 'loading').map((s) => s.protocol)).to.deep.equal([
      'flv',
      'hls',
    ]);
  });

  it('shows an error state with a retry button only when every source fails', async () => {
    const sources = [
      { encode: 'rtmp', url: 'rtmp://127.0.0.1/live/s1' },
      { encode: 'flv', url: '/media/missing.flv' },
      { encode: 'hls', url: '/media/missing.m3u8' },
      { url: '/media/missing.mp4' },
    ];
    const { el, rec } = await mount({ sources: JSON.stringify(sources), autoplay: true, muted: true });
    await until('error state', () => el.state === 'error', 25000);
    const fatal = rec.errors.filter((e) => e.fatal);
    expect(fatal).to.have.length(1);
    expect(fatal[0]).to.include({ module: 'player', code: 'ALL_SOURCES_FAILED' });
    expect(rec.fallbacks.map((f) => f.from.url)).to.deep.equal([
      'rtmp://127.0.0.1/live/s1',
      '/media/missing.flv',
      '/media/missing.m3u8',
      '/media/missing.mp4',
    ]);
    expect(rec.fallbacks.at(-1)!.to).to.equal(null);
    await el.updateComplete;
    expect(shadowText(el, '[part=error]')).to.match(/None of the stream addresses could be played/);
    expect(el.shadowRoot!.querySelector('[part=error]')!.getAttribute('role')).to.equal('alert');
    expect(shadowText(el, 'button[part=play-button]')).to.equal('Try again');
    expect(el.engine).to.equal(null);
  });

  it('reports malformed sources JSON as a clear error, not an exception, and recovers when fixed', async () => {
    const { el, rec } = await mount({ sources: '[{"url": "/media/av.mp4"', autoplay: true, muted: true });
    expect(el.state).to.equal('error');
    expect(rec.errors).to.have.length(1);
    expect(rec.errors[0]).to.include({ module: 'player', code: 'BAD_SOURCES', fatal: true });
    expect(rec.errors[0]!.message).to.match(/not valid JSON/);
    await el.updateComplete;
    expect(shadowText(el, '[part=error]')).to.match(/malformed/);

    el.setAttribute('sources', '[{"encode":"ogg","url":"/media/av.mp4"}]');
    await el.updateComplete;
    expect(rec.errors.at(-1)!.message).to.match(/"ogg" is not one of/);

    el.setAttribute('sources', '[{"url":"/media/av.mp4"}]');
    await seesPlayback(el);
    expect(el.state).to.equal('playing');
  });

  it('says why a URL of unknown protocol cannot play, and tolerates a bogus latency value', async () => {
    const { el, rec } = await mount({ src: '/media/stream', latency: 'ultra', autoplay: true, muted: true });
    await until('error', () => el.state === 'error');
    expect(rec.fallbacks[0]!.reason).to.match(
      /Cannot tell the protocol of "\/media\/stream"; give it an "encode"/,
    );
    expect(rec.errors.at(-1)).to.include({ code: 'UNSUPPORTED_PROTOCOL', fatal: true });
    // the same URL with an explicit encode plays, with latency falling back to normal
    el.sources = [{ encode: 'mp4', url: '/media/av.mp4' }];
    await seesPlayback(el);
    expect(el.engine).to.equal('native');
  });

  it('rejects a bad sources property the same way', async () => {
    const { el, rec } = await mount({ autoplay: true, muted: true });
    el.sources = [{ url: '' }];
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(rec.errors.at(-1)).to.include({ code: 'BAD_SOURCES', fatal: true });
  });
});

describe('<relay-player> live behaviour', () => {
  it('reconnects after the FLV stream is cut and resumes when it returns', async () => {
    const id = uid('cut');
    const { el, rec } = await mount({
      src: `/media/cut.flv?id=${id}&after=3&down=2`,
      autoplay: true,
      muted: true,
      latency: 'low',
    });
    await seesPlayback(el);
    await until('reconnecting', () => el.state === 'reconnecting', 15000);
    await until(
      'playing again',
      () => el.state === 'playing' && rec.states.some((s) => s.state === 'reconnecting'),
      30000,
    );
    await seesPlayback(el, 1.5);
    expect(el.engine).to.equal('mpegts');
    expect((await stats(id)).requests).to.be.at.least(2);
    expect(rec.errors.filter((e) => e.fatal)).to.deep.equal([]);
  });

  it('catches up with the live edge after being paused', async () => {
    const { el } = await mount({ src: `/media/live.flv?id=${uid('edge')}`, autoplay: true, muted: true });
    await seesPlayback(el);
    el.pause();
    await sleep(7000);
    const v = el.media!;
    const behind = () => v.buffered.end(v.buffered.length - 1) - v.currentTime;
    expect(behind()).to.be.greaterThan(5);
    el.play();
    await until('near the live edge', () => !v.paused && behind() < 3, 5000);
  });
});

describe('<relay-player> teardown', () => {
  it('leaves no engine, media source, connection or timer behind when removed', async () => {
    const id = uid('teardown');
    const { el, rec } = await mount({ src: `/media/live.flv?id=${id}`, autoplay: true, muted: true });
    await seesPlayback(el);
    const video = el.media!;
    expect((await stats(id)).open).to.equal(1);
    el.remove();
    expect(el.engine).to.equal(null);
    expect(video.getAttribute('src')).to.equal(null);
    expect(video.srcObject).to.equal(null);
    // nothing to load: no resource selected (Chromium reports NO_SOURCE after load() without a src)
    expect(video.networkState).to.be.oneOf([
      HTMLMediaElement.NETWORK_EMPTY,
      HTMLMediaElement.NETWORK_NO_SOURCE,
    ]);
    expect(video.readyState).to.equal(HTMLMediaElement.HAVE_NOTHING);
    const eventsAtRemoval = rec.states.length + rec.errors.length + rec.fallbacks.length;
    await until('the server to see the connection closed', async () => (await stats(id)).open === 0);
    await sleep(2500);
    const s = await stats(id);
    expect(s.open, 'open connections').to.equal(0);
    expect(s.requests).to.equal(1);
    expect(rec.states.length + rec.errors.length + rec.fallbacks.length).to.equal(eventsAtRemoval);
  });

  it('cancels a pending reconnect when removed while reconnecting', async () => {
    const id = uid('teardown-rc');
    const { el, rec } = await mount({
      src: `/media/cut.flv?id=${id}&after=2&down=60`,
      autoplay: true,
      muted: true,
      latency: 'low',
    });
    await seesPlayback(el, 0.5);
    await until('reconnecting', () => el.state === 'reconnecting', 15000);
    el.remove();
    const before = (await stats(id)).requests;
    const eventCount = rec.states.length + rec.errors.length;
    await sleep(4000);
    expect((await stats(id)).requests).to.equal(before);
    expect(rec.states.length + rec.errors.length).to.equal(eventCount);
  });
});

describe('<relay-player> methods and moves', () => {
  it('reload() starts over from the best source; moving the element in the page resumes playback', async () => {
    const { el, rec } = await mount({
      src: '/media/av.mp4',
      autoplay: true,
      muted: true,
      poster: '/media/none.png',
    });
    expect(el.media!.getAttribute('poster')).to.equal('/media/none.png');
    await seesPlayback(el);
    const loadsBefore = rec.states.filter((s) => s.state === 'loading').length;
    el.reload();
    expect(el.state).to.equal('loading');
    await seesPlayback(el);
    expect(rec.states.filter((s) => s.state === 'loading').length).to.equal(loadsBefore + 1);

    const other = document.createElement('section');
    document.body.append(other);
    try {
      other.append(el); // disconnect + connect
      await seesPlayback(el);
      expect(el.engine).to.equal('native');
      el.pause();
      await until('paused after pause', () => el.state === 'paused');
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('button[part=play-button]')).to.not.equal(null);
    } finally {
      other.remove();
    }
  });
});

describe('<relay-player> loop, preload and crossorigin', () => {
  it('with `loop` plays a recording again from the start instead of ending; a live stream ignores it', async () => {
    const { el, rec } = await mount({ src: '/media/av.mp4?loop', autoplay: true, muted: true, loop: true });
    await seesPlayback(el);
    el.currentTime = el.duration - 0.5;
    await until('back at the start', () => el.currentTime > 0 && el.currentTime < 2 && !el.paused);
    await seesPlayback(el);
    expect(el.state).to.equal('playing');
    expect(rec.states.map((s) => s.state)).to.not.include('ended');

    const live = await mount({
      src: `/media/live.flv?id=${uid('loop')}`,
      autoplay: true,
      muted: true,
      loop: '',
    });
    await seesPlayback(live.el);
    expect(live.el.media!.loop, 'no loop on a live stream').to.equal(false);
  });

  it('with `preload="metadata"` a recording shows its duration before play, and plays on a press', async () => {
    const id = uid('preload');
    const { el } = await mount({ src: `/media/rec.mp4?id=${id}`, preload: 'metadata', muted: true });
    await until('duration known before play', () => Math.abs(el.duration - 12) < 0.5);
    await until('idle, waiting for a press', () => el.state === 'idle');
    expect(el.paused).to.equal(true);
    expect(el.currentTime).to.equal(0);
    expect((await stats(id)).requests).to.be.above(0);
    await pressCentre(
      await until('play button', async () => {
        await el.updateComplete;
        return el.shadowRoot!.querySelector('button[part=play-button]');
      }),
    );
    await seesPlayback(el);
  });

  it('with `preload="auto"` never fetches a live stream before play', async () => {
    const id = uid('preload-live');
    const { el } = await mount({ src: `/media/live.flv?id=${id}`, preload: 'auto', muted: true });
    await sleep(800);
    expect(el.state).to.equal('idle');
    expect((await stats(id)).requests).to.equal(0);
  });

  it('with `crossorigin` a recording from another origin (with CORS) can be read by a canvas', async () => {
    // localhost and 127.0.0.1 are two origins on the same test server, which answers with CORS headers
    const other = `${location.protocol}//${location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1'}:${location.port}`;
    const readPixels = (video: HTMLVideoElement): string => {
      const c = document.createElement('canvas');
      c.width = 8;
      c.height = 8;
      const g = c.getContext('2d')!;
      g.drawImage(video, 0, 0, 8, 8);
      try {
        g.getImageData(0, 0, 1, 1);
        return 'readable';
      } catch (err) {
        return (err as Error).name;
      }
    };
    const cors = await mount({
      src: `${other}/media/rec.mp4?cors`,
      crossorigin: 'anonymous',
      autoplay: true,
      muted: true,
    });
    await seesPlayback(cors.el);
    expect(cors.el.media!.crossOrigin).to.equal('anonymous');
    expect(readPixels(cors.el.media!)).to.equal('readable');

    const plain = await mount({ src: `${other}/media/rec.mp4?plain`, autoplay: true, muted: true });
    await seesPlayback(plain.el);
    expect(readPixels(plain.el.media!), 'without crossorigin the canvas is tainted').to.equal(
      'SecurityError',
    );
  });
});

describe('<relay-player> autoplay and UI', () => {
  it('without autoplay shows a play button, loads nothing, and plays when it is pressed', async () => {
    const id = uid('press');
    const { el } = await mount({ src: `/media/live.flv?id=${id}`, muted: true });
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    const btn = el.shadowRoot!.querySelector<HTMLButtonElement>('button[part=play-button]');
    expect(btn, 'a visible play button').to.not.equal(null);
    expect(btn!.textContent).to.match(/Play/);
    await sleep(500);
    expect((await stats(id)).requests).to.equal(0);
    await pressCentre(btn!);
    await seesPlayback(el);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[part=play-button]')).to.equal(null);
  });

  it('with autoplay and sound requested, never leaves a silent black box', async () => {
    const { el } = await mount({ src: `/media/live.flv?id=${uid('auto')}`, autoplay: true });
    await until(
      'playing or a play button',
      () => el.state === 'playing' || el.shadowRoot!.querySelector('[part=play-button]'),
    );
    await el.updateComplete;
    if (el.state === 'playing') {
      // either the browser allowed sound, or it plays muted and offers Unmute
      const unmute = el.shadowRoot!.querySelector('[part=unmute-button]');
      expect(el.media!.muted ? unmute !== null : true).to.equal(true);
    } else {
      expect(el.shadowRoot!.querySelector('[part=play-button]')).to.not.equal(null);
    }
  });

  it('falls back to muted autoplay with an Unmute button when the browser blocks sound', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('relay-player');
    el.setAttribute('src', `/media/live.flv?id=${uid('policy-muted')}`);
    el.setAttribute('autoplay', '');
    enforceAutoplayPolicy(el, true);
    host.append(el);
    await seesPlayback(el);
    expect(el.media!.muted).to.equal(true);
    await el.updateComplete;
    const unmute = el.shadowRoot!.querySelector<HTMLButtonElement>('button[part=unmute-button]');
    expect(unmute).to.not.equal(null);
    // a real key press (user activation), as a keyboard user would unmute
    unmute!.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.media!.muted).to.equal(false);
    expect(el.shadowRoot!.querySelector('button[part=unmute-button]')).to.equal(null);
  });

  it('shows a play button (and a non-fatal AUTOPLAY_BLOCKED) when the browser blocks all autoplay', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('relay-player');
    el.setAttribute('src', `/media/live.flv?id=${uid('policy-none')}`);
    el.setAttribute('autoplay', '');
    enforceAutoplayPolicy(el, false);
    const rec = record(el);
    host.append(el);
    await until('blocked', () => rec.errors.find((e) => e.code === 'AUTOPLAY_BLOCKED'));
    expect(rec.errors.find((e) => e.code === 'AUTOPLAY_BLOCKED')!.fatal).to.equal(false);
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    const btn = el.shadowRoot!.querySelector<HTMLButtonElement>('button[part=play-button]');
    expect(btn).to.not.equal(null);
    await pressCentre(btn!);
    await seesPlayback(el);
  });

  it('pauses to a `paused` state (not `idle`) when the bar is pressed, and plays again from there', async () => {
    const { el, rec } = await mount({
      src: '/media/rec.mp4?pause',
      autoplay: true,
      muted: true,
      controls: true,
    });
    await controlsShown(el);
    await seesPlayback(el);
    const toggle = () => el.shadowRoot!.querySelector<HTMLButtonElement>('button[part~=play-toggle]')!;
    expect(toggle().getAttribute('aria-label')).to.equal('Pause');
    await pressCentre(toggle());
    await until('paused', () => el.state === 'paused');
    await el.updateComplete;
    expect(el.paused).to.equal(true);
    expect(el.media!.paused).to.equal(true);
    expect(toggle().getAttribute('aria-label'), 'the icon and the press agree').to.equal('Play');
    expect(shadowText(el, '[part=status]')).to.equal('Paused');
    expect(rec.states.at(-1)!.state).to.equal('paused');
    const t = el.currentTime;
    await pressCentre(toggle());
    await until('playing again', () => el.state === 'playing' && !el.paused);
    await seesPlayback(el);
    expect(el.currentTime).to.be.above(t);
    await el.updateComplete;
    expect(toggle().getAttribute('aria-label')).to.equal('Pause');
  });

  it('announces state in an aria-live region, in English or Simplified Chinese', async () => {
    const { el } = await mount({ src: '/media/av.mp4', controls: true, lang: 'zh-CN' });
    await controlsShown(el);
    const status = el.shadowRoot!.querySelector('[part=status]')!;
    expect(status.getAttribute('aria-live')).to.equal('polite');
    expect(status.textContent).to.equal('未播放');
    const buttons = [...el.shadowRoot!.querySelectorAll('[part=controls] button')].map(
      (b) => b.getAttribute('aria-label') ?? b.textContent!.trim(),
    );
    expect(buttons).to.deep.equal(['播放', '静音', '画中画', '全屏']);
    el.lang = 'en';
    el.play();
    await until('playing', () => el.state === 'playing');
    await el.updateComplete;
    expect(status.textContent).to.match(/^Playing · MP4 stream$/);
    expect(el.shadowRoot!.querySelector('[part=controls] button')!.getAttribute('aria-label')).to.equal(
      'Pause',
    );
  });
});

describe('<relay-player for="id">', () => {
  function pushUrls(id: string) {
    return [
      { encode: 'rtmp' as const, url: 'rtmp://127.0.0.1/live/s' },
      { encode: 'flv' as const, url: `/media/live.flv?id=${id}` },
      { encode: 'hls' as const, url: '/media/live.m3u8' },
    ];
  }
  function started(target: Element, urls: ReturnType<typeof pushUrls>) {
    target.dispatchEvent(
      new CustomEvent('live-push-started', {
        detail: { streamId: 's', urls, recordId: null },
        bubbles: true,
        composed: true,
      }),
    );
  }
  function stopped(target: Element) {
    target.dispatchEvent(
      new CustomEvent('live-push-stopped', {
        detail: { streamId: 's', reason: 'stopped' },
        bubbles: true,
        composed: true,
      }),
    );
  }

  it('plays the push URLs when the producer (added later) starts, and shows ended when it stops', async () => {
    const id = uid('for');
    const { el, rec } = await mount({ for: 'studio-a', autoplay: true, muted: true });
    expect(el.state).to.equal('idle');
    const producer = document.createElement('div');
    producer.id = 'studio-a';
    document.body.append(producer);
    try {
      // an event from another producer is ignored
      const other = document.createElement('div');
      other.id = 'other';
      document.body.append(other);
      started(other, pushUrls(uid('other')));
      other.remove();
      await sleep(200);
      expect(el.state).to.equal('idle');

      started(producer, pushUrls(id));
      await seesPlayback(el);
      expect(el.protocol).to.equal('flv');
      expect(rec.fallbacks[0]!.from.encode).to.equal('rtmp');
      stopped(producer);
      await until('ended', () => el.state === 'ended');
      expect(el.engine).to.equal(null);
      await until('connection closed', async () => (await stats(id)).open === 0);
    } finally {
      producer.remove();
    }
  });

  it('follows a producer that was already live before the player appeared (its `live` property)', async () => {
    const id = uid('for-early');
    const producer = Object.assign(document.createElement('div'), {
      id: 'studio-c',
      live: { streamId: 's', urls: pushUrls(id), recordId: null },
    });
    document.body.append(producer);
    try {
      const { el } = await mount({ for: 'studio-c', autoplay: true, muted: true });
      await seesPlayback(el);
      expect(el.protocol).to.equal('flv');
      stopped(producer);
      await until('ended', () => el.state === 'ended');
    } finally {
      producer.remove();
    }
  });

  it('follows a replaced producer with the same id, even one dispatching from inside its shadow root', async () => {
    const { el } = await mount({ for: 'studio-b', autoplay: true, muted: true });
    const first = document.createElement('div');
    first.id = 'studio-b';
    document.body.append(first);
    first.remove();
    const second = document.createElement('div');
    second.id = 'studio-b';
    const inner = second.attachShadow({ mode: 'open' }).appendChild(document.createElement('span'));
    document.body.append(second);
    try {
      started(inner, pushUrls(uid('for-b')));
      await seesPlayback(el);
      expect(el.engine).to.equal('mpegts');
      stopped(inner);
      await until('ended', () => el.state === 'ended');
    } finally {
      second.remove();
    }
  });
});

describe('<relay-player> accessibility', () => {
  it('has no axe violations when waiting for a press, playing with controls, and in error', async () => {
    await import('axe-core');
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const check = async (el: HTMLElement) => {
      const result = await axe.run(el, { resultTypes: ['violations'] });
      expect(result.violations.map((v) => `${v.id}: ${v.help}`)).to.deep.equal([]);
    };
    const idle = await mount({ src: '/media/av.mp4' });
    await check(idle.el);
    const playing = await mount({ src: '/media/av.mp4', controls: true, autoplay: true, muted: true });
    await until('playing', () => playing.el.state === 'playing');
    await playing.el.updateComplete;
    await check(playing.el);
    const failed = await mount({ src: '/media/missing.mp4', autoplay: true, muted: true });
    await until('error', () => failed.el.state === 'error');
    await failed.el.updateComplete;
    await check(failed.el);
  });
});
