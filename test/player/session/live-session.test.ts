// The headless player session, driven with a plain <video> and real media (test/support/media-server.mjs serves
// the ffmpeg-made fixtures under /media/); no custom element is defined or used here.
import { expect, fixture, html } from '@open-wc/testing';
import type { RelayPlayerErrorDetail, RelayPlayerFallbackDetail } from '../../../src/contract/events.js';
import {
  LiveSession,
  type PlayerSnapshot,
  type SessionOptions,
} from '../../../src/player/session/live-session.js';
import { sleep, until, uid } from '../../support/until.js';

interface Run {
  session: LiveSession;
  video: HTMLVideoElement;
  snapshots: PlayerSnapshot[];
  fallbacks: RelayPlayerFallbackDetail[];
  errors: RelayPlayerErrorDetail[];
}

const sessions: LiveSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.release();
});

async function run(options: Partial<SessionOptions> = {}, video?: HTMLVideoElement): Promise<Run> {
  const v = video ?? (await fixture<HTMLVideoElement>(html`<video muted playsinline></video>`));
  const r: Omit<Run, 'session'> = { video: v, snapshots: [], fallbacks: [], errors: [] };
  const session = new LiveSession(
    v,
    {
      onChange: (now) => r.snapshots.push(now),
      onFallback: (d) => r.fallbacks.push(d),
      onError: (d) => r.errors.push(d),
    },
    options,
  );
  sessions.push(session);
  return { ...r, session };
}

async function stats(id: string): Promise<{ requests: number; open: number }> {
  return (await fetch(`/media/stats?id=${id}`)).json();
}

/** The picture moves: time advances by `seconds` while the media plays. */
async function playsFor(video: HTMLVideoElement, seconds = 1): Promise<void> {
  await until('playback to start', () => video.currentTime > 0 && !video.paused);
  const t0 = video.currentTime;
  await until(`time to pass ${t0 + seconds}`, () => video.currentTime >= t0 + seconds);
}

describe('LiveSession (no element)', () => {
  it('falls back to the next source when one cannot be played, and plays that one', async () => {
    const { session, video, fallbacks, errors, snapshots } = await run({ autoplay: true });
    session.start([
      { encode: 'flv', url: '/media/missing.flv?session' },
      { encode: 'mp4', url: '/media/av.mp4?session-fallback' },
    ]);
    await playsFor(video);
    expect(video.videoWidth).to.equal(320);
    expect(fallbacks).to.have.length(1);
    expect(fallbacks[0]!.from.url).to.equal('/media/missing.flv?session');
    expect(fallbacks[0]!.to?.url).to.equal('/media/av.mp4?session-fallback');
    expect(errors.every((e) => !e.fatal)).to.equal(true);
    const snap = session.snapshot;
    expect(snap).to.include({ state: 'playing', protocol: 'mp4', url: '/media/av.mp4?session-fallback' });
    expect(snap.paused).to.equal(false);
    expect(snapshots.map((s) => s.protocol)).to.include.members(['flv', 'mp4']);
  });

  it('gives up with one fatal error in its snapshot when no source plays', async () => {
    const { session, errors } = await run({ autoplay: true });
    session.start([
      { url: '/media/missing.mp4?session' },
      { encode: 'hls', url: '/media/missing.m3u8?session' },
    ]);
    await until('error', () => session.snapshot.state === 'error');
    expect(errors.filter((e) => e.fatal)).to.have.length(1);
    expect(session.snapshot.error).to.deep.equal(errors.find((e) => e.fatal));
    expect(session.snapshot.paused).to.equal(true);
  });

  it('reconnects after the stream is cut and plays again', async () => {
    const id = uid('session-cut');
    const { session, video, snapshots, errors } = await run({ autoplay: true, latency: 'low' });
    session.start([{ url: `/media/cut.flv?id=${id}&after=2&down=2` }]);
    await playsFor(video, 0.5);
    await until('reconnecting', () => session.snapshot.state === 'reconnecting', 15000);
    // bridging a break is not a pause: the play button must not flip
    expect(session.snapshot.paused).to.equal(false);
    await until('playing again', () => session.snapshot.state === 'playing', 30000);
    await playsFor(video, 1);
    expect(session.snapshot.reconnects).to.be.at.least(1);
    expect((await stats(id)).requests).to.be.at.least(2);
    expect(errors.filter((e) => e.fatal)).to.deep.equal([]);
    expect(snapshots.map((s) => s.state)).to.include('reconnecting');
  });

  it('latency "low" plays a backlog down to about 0.3 s of buffer (a seek far behind, faster play near)', async () => {
    // the stream goes silent from 3 s to 6 s after the connection, then sends the 3 s backlog at once
    const { session, video, errors } = await run({ autoplay: true, latency: 'low' });
    const t0 = Date.now();
    session.start([{ url: `/media/live.flv?id=${uid('session-low')}&hiccup=6` }]);
    await playsFor(video, 0.5);
    await until('the backlog after the silence', () => Date.now() - t0 > 7500, 15000);
    const ahead: number[] = [];
    while (Date.now() - t0 < 8800) {
      const b = video.buffered;
      ahead.push(b.length ? b.end(b.length - 1) - video.currentTime : 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    // normal latency holds 1.5 s; low used to hold 0.8 s and let this backlog drain for seconds (2.5–2.75 s ahead)
    expect(Math.max(...ahead), `buffer ahead ${ahead.map((a) => a.toFixed(2)).join(' ')}`).to.be.below(0.6);
    expect(video.paused).to.equal(false);
    expect(errors.filter((e) => e.fatal)).to.deep.equal([]);
  });

  it('shows a clean end of a live broadcast as ended, and plays again when it comes back', async () => {
    const id = uid('session-end');
    const { session, video, errors } = await run({ autoplay: true, latency: 'low' });
    session.start([{ url: `/media/end.flv?id=${id}&after=2&down=3` }]);
    await playsFor(video, 0.5);
    await until('ended', () => session.snapshot.state === 'ended', 15000);
    expect(errors.map((e) => e.code)).to.include('STREAM_ENDED');
    expect(errors.filter((e) => e.fatal)).to.deep.equal([]);
    expect(session.snapshot.error).to.equal(null);
    await until('playing again', () => session.snapshot.state === 'playing', 30000);
    await playsFor(video, 0.5);
  });

  it('plays muted when the browser refuses sound, and says so until sound is turned on', async () => {
    const video = await fixture<HTMLVideoElement>(html`<video playsinline></video>`);
    // Chromium's autoplay policy, by hand (this test browser allows everything): sound needs a press
    const realPlay = video.play.bind(video);
    video.play = () =>
      video.muted
        ? realPlay()
        : Promise.reject(
            new DOMException('play() failed because the user did not interact', 'NotAllowedError'),
          );
    const { session } = await run({ autoplay: true }, video);
    session.start([{ url: `/media/live.flv?id=${uid('session-autoplay')}` }]);
    await playsFor(video);
    expect(video.muted).to.equal(true);
    expect(session.snapshot).to.include({ state: 'playing', mutedByAutoplay: true, needsPress: false });
    video.muted = false;
    await until('the offer to unmute gone', () => !session.snapshot.mutedByAutoplay);
  });

  it('waits for a press when the browser refuses all autoplay', async () => {
    const video = await fixture<HTMLVideoElement>(html`<video playsinline></video>`);
    video.play = () => Promise.reject(new DOMException('no autoplay', 'NotAllowedError'));
    const { session, errors } = await run({ autoplay: true }, video);
    session.start([{ url: '/media/av.mp4?session-blocked' }]);
    await until('blocked', () => errors.find((e) => e.code === 'AUTOPLAY_BLOCKED'));
    expect(session.snapshot).to.include({ state: 'idle', needsPress: true, paused: true });
  });

  it('release() leaves no connection, timer or media source behind, and reports nothing more', async () => {
    const id = uid('session-release');
    const { session, video, snapshots, errors, fallbacks } = await run({ autoplay: true, latency: 'low' });
    session.start([{ url: `/media/cut.flv?id=${id}&after=2&down=60` }]);
    await playsFor(video, 0.5);
    await until('reconnecting', () => session.snapshot.state === 'reconnecting', 15000);
    session.release();
    expect(session.engineKind).to.equal(null);
    expect(video.getAttribute('src')).to.equal(null);
    expect(video.readyState).to.equal(HTMLMediaElement.HAVE_NOTHING);
    const reported = snapshots.length + errors.length + fallbacks.length;
    const requests = (await stats(id)).requests;
    await until('the server to see the connection closed', async () => (await stats(id)).open === 0);
    await sleep(4000);
    expect((await stats(id)).requests, 'no reconnect after release').to.equal(requests);
    expect(snapshots.length + errors.length + fallbacks.length).to.equal(reported);
    session.start([{ url: '/media/av.mp4?after-release' }]);
    await sleep(300);
    expect(video.getAttribute('src')).to.equal(null);
    expect(session.snapshot.state).to.equal('idle');
  });
});
