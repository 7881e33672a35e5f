/**
 * <relay-player> as a media element and with its built-in controls, against real ffmpeg-made media
 * (test/support/media-server.mjs): seeking recordings, media-chrome driving it, clean broadcast ends,
 * language, quality levels, audio-only and placeholders, and screenshots at phone and desktop widths.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type { RelayPlayerErrorDetail, RelayPlayerStateDetail } from '../../src/contract/events.js';
import { centreOf, pressCentre } from '../support/input.js';
import { until, uid } from '../support/until.js';

const part = (el: HTMLElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

async function player(markup: string, width = 640): Promise<RelayPlayer> {
  const host = await fixture<HTMLDivElement>(html`<div style="width:${width}px"></div>`);
  host.innerHTML = markup;
  const el = host.querySelector('relay-player')!;
  await el.updateComplete;
  return el;
}

/** Plays until frames move, then pauses: a recording ready to be moved around in. */
async function pausedAt(el: RelayPlayer, seconds: number): Promise<void> {
  await until('playing', () => el.state === 'playing' && el.currentTime > 0.2);
  el.pause();
  el.currentTime = seconds;
  await until(`at ${seconds}s`, () => Math.abs(el.currentTime - seconds) < 0.3).catch((e: Error) => {
    throw new Error(`${e.message}: currentTime ${el.currentTime}, state ${el.state}, engine ${el.engine}`);
  });
  await el.updateComplete;
}

for (const [kind, src] of [
  ['a 12 s MP4', '/media/rec.mp4'],
  ['a 12 s HLS VOD', '/media/rec/index.m3u8'],
] as const) {
  describe(`<relay-player controls> seeking ${kind}`, () => {
    it('seeks to 8 s by the seek bar, by keyboard and by currentTime, and shows the time', async () => {
      const el = await player(`<relay-player src="${src}" autoplay muted controls></relay-player>`);
      const seeks: number[] = [];
      el.addEventListener('seeking', () => seeks.push(el.currentTime));
      await pausedAt(el, 1);
      expect(el.duration).to.be.closeTo(12, 0.3);
      expect(el.paused).to.equal(true);

      // the bar moved to 8 s (what a drag or a click on it does: the range's value changes, `input` fires)
      const bar = part(el, 'seek-bar') as HTMLInputElement;
      bar.value = '8';
      bar.dispatchEvent(new Event('input', { bubbles: true }));
      await until('8 s by the seek bar', () => Math.abs(el.currentTime - 8) < 0.4);
      await until(
        'the time shown follows',
        async () => (await el.updateComplete, part(el, 'time')!.textContent === '0:08 / 0:12'),
        3000,
      );
      expect(bar.getAttribute('aria-valuetext')).to.equal('0:08 of 0:12');

      // keyboard: from 3 s, → moves 5 s
      el.currentTime = 3;
      await until('3 s', () => Math.abs(el.currentTime - 3) < 0.3);
      bar.focus();
      await sendKeys({ press: 'ArrowRight' });
      await until('8 s by keyboard', () => Math.abs(el.currentTime - 8) < 0.3);
      // the player's own shortcut (focus on the player, not the bar): ← goes back 5 s
      part(el, 'base')!.focus();
      await sendKeys({ press: 'ArrowLeft' });
      await until('3 s by shortcut', () => Math.abs(el.currentTime - 3) < 0.3);

      // currentTime, as a script or a media UI sets it
      el.currentTime = 8;
      await until('8 s by currentTime', () => Math.abs(el.currentTime - 8) < 0.3);
      await until(
        'the bar follows',
        async () => (await el.updateComplete, Math.abs(Number(bar.value) - 8) < 0.3),
      );
      // every seek reached the page as a `seeking` event from the player itself
      expect(seeks.length).to.be.at.least(5);
      const played = getComputedStyle(bar).getPropertyValue('--_played');
      expect(parseFloat(played)).to.be.closeTo(66.7, 3);
      // a real pointer: a click at 4/12 of the bar (the track is inset by half of the 12 px thumb)
      el.scrollIntoView();
      await el.updateComplete;
      const r = bar.getBoundingClientRect();
      const x = Math.round(r.left + 6 + ((r.width - 12) * 4) / el.duration);
      await sendMouse({ type: 'click', position: [x, Math.round(r.top + r.height / 2)] });
      await until('4 s by a click on the bar', () => Math.abs(el.currentTime - 4) < 0.6, 5000).catch(
        (e: Error) => {
          throw new Error(`${e.message}: at ${el.currentTime}, clicked ${x} on ${JSON.stringify(r)}`);
        },
      );
      // and it plays on from there
      el.play();
      await until('time moves on from 4 s', () => el.currentTime > 4.5 && !el.paused);
    });
  });
}

describe('<relay-player controls> buttons and shortcuts', () => {
  it('play/pause shows the right icon and label in every state, and Space/K/M work with focus inside', async () => {
    const el = await player('<relay-player src="/media/rec.mp4" muted controls></relay-player>');
    const toggle = () => part(el, 'play-toggle') as HTMLButtonElement;
    expect(toggle().getAttribute('aria-label')).to.equal('Play');
    await pressCentre(toggle());
    await until('playing', () => el.state === 'playing');
    await el.updateComplete;
    expect(toggle().getAttribute('aria-label')).to.equal('Pause');
    part(el, 'base')!.focus();
    await sendKeys({ press: 'k' });
    await until('paused by K', () => el.paused);
    await el.updateComplete;
    expect(toggle().getAttribute('aria-label')).to.equal('Play');
    await sendKeys({ press: ' ' });
    await until('playing by Space', () => !el.paused && el.state === 'playing');
    expect(el.muted).to.equal(true);
    await sendKeys({ press: 'm' });
    expect(el.muted).to.equal(false);
    await el.updateComplete;
    expect(part(el, 'mute-toggle')!.getAttribute('aria-label')).to.equal('Mute');

    const broken = await player(
      `<relay-player src="/media/missing-${uid('m')}.mp4" autoplay muted controls></relay-player>`,
    );
    await until('error', () => broken.state === 'error');
    await broken.updateComplete;
    expect(part(broken, 'play-toggle')!.getAttribute('aria-label')).to.equal('Play');
    expect(broken.error).to.include({ code: 2 });
  });

  it('hides the controls while playing and brings them back on pointer movement', async () => {
    const el = await player('<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>');
    await until('playing', () => el.state === 'playing');
    const bar = part(el, 'controls')!;
    await until('controls hidden', () => bar.classList.contains('hidden'), 6000);
    const r = el.getBoundingClientRect();
    await sendMouse({ type: 'move', position: [Math.round(r.left + 50), Math.round(r.top + 50)] });
    await until(
      'controls shown',
      async () => (await el.updateComplete, !bar.classList.contains('hidden')),
      3000,
    );
    await sendMouse({ type: 'move', position: [0, 0] });
  });

  it('shows placeholders instead of an empty box, and no Play button that would do nothing', async () => {
    const waiting = await player('<relay-player for="nobody-here" controls></relay-player>');
    expect(part(waiting, 'placeholder')!.textContent).to.equal('Waiting for the broadcast');
    expect((part(waiting, 'play-toggle') as HTMLButtonElement).disabled).to.equal(true);
    expect(part(waiting, 'play-button')).to.equal(null);
    const pick = await player('<relay-player controls lang="zh-CN"></relay-player>');
    expect(part(pick, 'placeholder')!.textContent).to.equal('请选择一个录制文件');
  });

  it('lays out an MP3 as a compact audio bar: no black video box, no full screen or picture-in-picture', async () => {
    const el = await player('<relay-player src="/media/a.mp3" autoplay muted controls></relay-player>', 390);
    await until('playing', () => el.state === 'playing');
    await el.updateComplete;
    await until('audio-only layout', () => el.matches(':state(audio-only)'));
    expect(el.getBoundingClientRect().height).to.be.below(80);
    expect(getComputedStyle(el.media!).display).to.equal('none');
    expect(part(el, 'fullscreen-toggle')).to.equal(null);
    expect(part(el, 'seek-bar')).to.not.equal(null);
  });
});

describe('<relay-player> language', () => {
  it('follows a zh-CN ancestor after playback starts, never writes lang itself, and follows a change live', async () => {
    const host = await fixture<HTMLDivElement>(html`<div lang="zh-CN" style="width:640px"></div>`);
    host.innerHTML = '<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>';
    const el = host.querySelector('relay-player')!;
    await until('playing', () => el.state === 'playing');
    await el.updateComplete;
    expect(el.hasAttribute('lang')).to.equal(false);
    expect(part(el, 'status')!.textContent).to.equal('正在播放 · MP4 流');
    expect(part(el, 'play-toggle')!.getAttribute('aria-label')).to.equal('暂停');
    expect(part(el, 'seek-bar')!.getAttribute('aria-label')).to.equal('进度');
    host.setAttribute('lang', 'en');
    await until(
      'English labels',
      async () => (await el.updateComplete, part(el, 'play-toggle')!.getAttribute('aria-label') === 'Pause'),
    );
    expect(el.hasAttribute('lang')).to.equal(false);
  });
});

describe('<relay-player> quality levels (two-level HLS)', () => {
  it('offers Auto with the level playing, switches to a chosen level and back to Auto', async () => {
    const el = await player('<relay-player src="/media/abr.m3u8" autoplay muted controls></relay-player>');
    await until('playing', () => el.state === 'playing');
    const menu = await until(
      'quality menu',
      async () => (await el.updateComplete, part(el, 'quality-menu') as HTMLSelectElement | null),
    );
    const labels = () => [...menu.options].map((o) => o.textContent!.trim());
    expect(labels().slice(1)).to.deep.equal(['240p', '120p']);
    expect(labels()[0]).to.match(/^Auto \((240|120)p\)$/);
    expect(menu.value).to.equal('-1');
    const low = [...menu.options].find((o) => o.textContent!.trim() === '120p')!;
    // a keyboard user on the menu: End picks the last level (a pointer would open the native popup)
    menu.focus();
    await sendKeys({ press: 'End' });
    await until('the 160x120 level on screen', () => el.videoHeight === 120, 20000);
    await el.updateComplete;
    expect(menu.value).to.equal(low.value);
    expect(el.getStats().bitrate).to.be.within(30_000, 400_000);
    await sendKeys({ press: 'Home' });
    await el.updateComplete;
    await until('Auto again', async () => (await el.updateComplete, menu.value === '-1'));
  });
});

describe('<relay-player> clean ends', () => {
  function record(el: HTMLElement) {
    const states: (RelayPlayerStateDetail & { at: number })[] = [];
    const errors: RelayPlayerErrorDetail[] = [];
    el.addEventListener('relay-player-state', (e) => states.push({ ...e.detail, at: Date.now() }));
    el.addEventListener('relay-player-error', (e) => errors.push(e.detail));
    return { states, errors };
  }

  it('a live FLV whose response ends and whose URL then answers 404 is ended within 5 s, then resumes by itself', async () => {
    const id = uid('end');
    const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
    const el = document.createElement('relay-player');
    Object.assign(el, {
      src: `/media/end.flv?id=${id}&after=3&down=6`,
      autoplay: true,
      muted: true,
      controls: true,
    });
    const rec = record(el);
    let endedEvents = 0;
    el.addEventListener('ended', () => endedEvents++);
    host.append(el);
    await until('playing', () => el.state === 'playing');
    expect(el.duration).to.equal(Infinity);
    await until('ended', () => el.state === 'ended', 15000);
    const { endedAt } = (await (await fetch(`/media/stats?id=${id}`)).json()) as { endedAt: number };
    const reached = rec.states.find((s) => s.state === 'ended')!.at;
    expect(reached - endedAt, 'ms from the end of the response to `ended`').to.be.below(5000);
    expect(rec.states.map((s) => s.state)).to.not.include.members(['reconnecting', 'error']);
    expect(rec.errors).to.have.length(1);
    expect(rec.errors[0]).to.include({ code: 'STREAM_ENDED', fatal: false });
    expect(endedEvents).to.equal(1);
    expect(el.ended).to.equal(true);
    await el.updateComplete;
    expect(part(el, 'placeholder')!.textContent).to.equal('The broadcast has ended');
    expect(part(el, 'status')!.textContent).to.equal('The broadcast has ended');
    // the stream comes back 6 s later: quiet checks find it and it plays again
    await until('playing again', () => el.state === 'playing' && el.currentTime > 0.5, 25000);
    expect(rec.errors).to.have.length(1);
  });

  it('stops checking after resume-window: a stream that comes back later stays ended', async () => {
    const id = uid('window');
    const el = document.createElement('relay-player');
    el.setAttribute('resume-window', '0');
    Object.assign(el, { src: `/media/end.flv?id=${id}&after=2&down=1`, autoplay: true, muted: true });
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
    await until('ended', () => el.state === 'ended', 15000);
    const { requests } = (await (await fetch(`/media/stats?id=${id}`)).json()) as { requests: number };
    await new Promise((r) => setTimeout(r, 4000)); // the stream is back after 1 s
    expect(el.state).to.equal('ended');
    const later = (await (await fetch(`/media/stats?id=${id}`)).json()) as { requests: number };
    expect(later.requests, 'no checks after the window').to.equal(requests);
  });

  it('a live HLS playlist that gets #EXT-X-ENDLIST ends cleanly, no reconnect', async () => {
    const id = uid('endlist');
    const el = document.createElement('relay-player');
    Object.assign(el, { src: `/media/end.m3u8?id=${id}&after=5`, autoplay: true, muted: true });
    const rec = record(el);
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
    await until('playing', () => el.state === 'playing');
    await until('ended', () => el.state === 'ended', 15000);
    expect(rec.states.map((s) => s.state)).to.not.include.members(['reconnecting', 'error']);
    expect(rec.errors.map((e) => `${e.code}/${e.fatal}`)).to.deep.equal(['STREAM_ENDED/false']);
  });

  it('a live HLS playlist that disappears (404) is ended within 5 s, then resumes when it is back', async () => {
    const id = uid('gone');
    const el = document.createElement('relay-player');
    Object.assign(el, { src: `/media/gone.m3u8?id=${id}&after=4&down=5`, autoplay: true, muted: true });
    const rec = record(el);
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
    await until('playing', () => el.state === 'playing');
    await until('ended', () => el.state === 'ended', 15000);
    const { endedAt } = (await (await fetch(`/media/stats?id=${id}`)).json()) as { endedAt: number };
    const reached = rec.states.find((s) => s.state === 'ended')!.at;
    expect(reached - endedAt, 'ms from the playlist disappearing to `ended`').to.be.below(5000);
    expect(rec.states.map((s) => s.state)).to.not.include.members(['reconnecting', 'error']);
    expect(rec.errors.map((e) => `${e.code}/${e.fatal}`)).to.deep.equal(['STREAM_ENDED/false']);
    await until('playing again', () => el.state === 'playing', 25000);
  });

  it('a network break (no clean end) still reconnects', async () => {
    const el = document.createElement('relay-player');
    Object.assign(el, {
      src: `/media/cut.flv?id=${uid('break')}&after=2&down=0`,
      autoplay: true,
      muted: true,
    });
    const rec = record(el);
    (await fixture<HTMLDivElement>(html`<div></div>`)).append(el);
    await until(
      'playing again after a reconnect',
      () => el.state === 'playing' && rec.states.some((s) => s.state === 'reconnecting'),
      25000,
    );
    expect(rec.states.map((s) => s.state)).to.not.include('ended');
  });
});

describe('<relay-player> signed URLs', () => {
  it('plays a signed URL (?txSecret=…&txTime=…) exactly as given', async () => {
    const id = uid('signed');
    const url = `/media/live.flv?id=${id}&txSecret=0123456789abcdef0123456789abcdef&txTime=6F1A2B3C`;
    const el = await player(`<relay-player autoplay muted></relay-player>`);
    el.src = url;
    await until('playing', () => el.state === 'playing');
    expect(el.currentUrl).to.equal(url);
    // the server saw the URL exactly as given
    const seen = (await (await fetch(`/media/stats?id=${id}`)).json()) as { lastUrl: string };
    expect(seen.lastUrl).to.equal(url);
  });
});

describe('<relay-player> inside media-chrome', () => {
  it("media-chrome's play button, time range and mute button drive the player and reflect its state", async () => {
    await import('media-chrome');
    const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
    host.innerHTML = `<media-controller>
        <relay-player slot="media" src="/media/rec.mp4" muted></relay-player>
        <media-control-bar>
          <media-play-button></media-play-button>
          <media-time-range></media-time-range>
          <media-mute-button></media-mute-button>
        </media-control-bar>
      </media-controller>`;
    const el = host.querySelector('relay-player')!;
    const playButton = host.querySelector('media-play-button')!;
    const timeRange = host.querySelector('media-time-range')!;
    const muteButton = host.querySelector('media-mute-button')!;
    await until('media-chrome sees a paused player', () => playButton.hasAttribute('mediapaused'));
    // the viewer sees the player inside the controller: it has a box and nothing covers its middle
    await centreOf(el);

    await pressCentre(playButton);
    await until('playing through media-chrome', () => el.state === 'playing' && !el.paused);
    await until('the play button reflects it', () => !playButton.hasAttribute('mediapaused'));
    await until(
      'duration reflected',
      () => Math.abs(Number(timeRange.getAttribute('mediaduration')) - 12) < 0.5,
    );

    // a real pointer click on media-chrome's time range at 8 s (8/12 of its width)
    await pressCentre(playButton);
    await until('paused through media-chrome', () => el.paused && playButton.hasAttribute('mediapaused'));
    const range = timeRange.shadowRoot!.querySelector<HTMLInputElement>('input[type=range]')!;
    await pressCentre(range, 8 / 12);
    await until('seeked to ~8 s', () => Math.abs(el.currentTime - 8) < 1).catch((e: Error) => {
      const attrs = [...timeRange.attributes].map((a) => `${a.name}=${a.value}`).join(' ');
      throw new Error(`${e.message}: at ${el.currentTime}; range ${range.value}/${range.max}; ${attrs}`);
    });
    await until(
      'the time range reflects it',
      () => Math.abs(Number(timeRange.getAttribute('mediacurrenttime')) - el.currentTime) < 0.3,
    );

    const wasMuted = el.muted;
    await pressCentre(muteButton);
    await until('mute toggled', () => el.muted === !wasMuted);
    await until(
      'the mute button reflects it',
      () =>
        muteButton.hasAttribute('mediavolumelevel') &&
        (muteButton.getAttribute('mediavolumelevel') === 'off') === el.muted,
    );
  });
});

describe('<relay-player controls> screenshots', () => {
  for (const width of [320, 390, 1280]) {
    it(`fits ${width} px without horizontal overflow (recording and live)`, async () => {
      await setViewport({ width, height: 900 });
      try {
        const host = await fixture<HTMLDivElement>(
          html`<div style="display:grid;gap:8px;padding:8px"></div>`,
        );
        host.innerHTML = `<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>
          <relay-player src="/media/live.flv?id=${uid('shot')}" autoplay muted controls lang="zh-CN"></relay-player>
          <relay-player src="/media/a.mp3" autoplay muted controls></relay-player>`;
        const players = [...host.querySelectorAll('relay-player')];
        await until('all playing', () => players.every((p) => p.state === 'playing' && p.currentTime > 0.5));
        players[0]!.pause();
        await Promise.all(players.map((p) => p.updateComplete));
        expect(document.documentElement.scrollWidth, 'page width').to.be.at.most(width);
        for (const p of players) {
          const bar = part(p, 'controls')!;
          expect(bar.scrollWidth, 'control bar content').to.be.at.most(bar.clientWidth + 1);
        }
        await executeServerCommand('player-screenshot', { name: `relay-player-${width}` });
      } finally {
        await setViewport({ width: 800, height: 600 });
      }
    });
  }
});

describe('<relay-player controls> accessibility', () => {
  for (const lang of ['en', 'zh-CN']) {
    it(`has no axe violations with every control shown (${lang}): recording, two-level HLS, live, audio`, async () => {
      await import('axe-core');
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const host = await fixture<HTMLDivElement>(html`<div lang=${lang} style="width:640px"></div>`);
      host.innerHTML = `<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>
        <relay-player src="/media/abr.m3u8" autoplay muted controls></relay-player>
        <relay-player src="/media/live.flv?id=${uid('a11y')}" autoplay muted controls></relay-player>
        <relay-player src="/media/a.mp3" autoplay muted controls></relay-player>`;
      const players = [...host.querySelectorAll('relay-player')];
      await until('all playing', () => players.every((p) => p.state === 'playing'));
      await until('controls and quality menu shown', async () => {
        await Promise.all(players.map((p) => p.updateComplete));
        return players.every((p) => part(p, 'controls')) && part(players[1]!, 'quality-menu');
      });
      expect(part(players[0]!, 'seek-bar')).to.not.equal(null);
      expect(part(players[2]!, 'live-badge')).to.not.equal(null);
      for (const p of players) {
        const result = await axe.run(p, { resultTypes: ['violations'] });
        expect(result.violations.map((v) => `${p.src}: ${v.id}: ${v.help}`)).to.deep.equal([]);
      }
    });
  }
});

describe('<relay-player> against the real local relay', function () {
  this.timeout(90000);

  it('a pushed FLV that stops is ended within 5 s (the relay ends the response, then answers 404)', async () => {
    const info = (await (await fetch('/relay-support/info')).json()) as { url?: string; error?: string };
    if (!info.url) throw new Error(`the local relay did not start: ${info.error}`);
    const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
    host.innerHTML = `<live-push-controls endpoint="${info.url}" encode="flv" record-file-types="none"></live-push-controls>`;
    const studio = host.querySelector('live-push-controls')!;
    const live = await studio.start();
    const flv = live.urls.find((u) => u.encode === 'flv')!.url;
    const el = document.createElement('relay-player');
    Object.assign(el, { src: flv, autoplay: true, muted: true });
    const states: string[] = [];
    const errors: RelayPlayerErrorDetail[] = [];
    el.addEventListener('relay-player-state', (e) => states.push(e.detail.state));
    el.addEventListener('relay-player-error', (e) => errors.push(e.detail));
    host.append(el);
    try {
      await until('playing', () => el.state === 'playing' && el.currentTime > 0.5, 30000);
      await studio.stop();
      const stoppedAt = Date.now();
      await until('ended', () => el.state === 'ended', 10000);
      expect(Date.now() - stoppedAt, 'ms from Stop to ended').to.be.below(5000);
      expect(states).to.not.include.members(['reconnecting', 'error']);
      expect(errors.map((e) => `${e.code}/${e.fatal}`)).to.deep.equal(['STREAM_ENDED/false']);
      expect((await fetch(flv)).status).to.be.oneOf([404, 410]);
    } finally {
      el.remove();
      studio.stopPreview();
    }
  });
});
