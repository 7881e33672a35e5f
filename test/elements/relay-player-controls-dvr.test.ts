/**
 * Live DVR on an HLS live window (test/support/media-server.mjs `live.m3u8?window=30`): the viewer seeks back with
 * the pointer and stays there, the LIVE badge becomes "Go to live", and pressing it returns to the edge.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { sleep, until, uid } from '../support/until.js';

const part = (el: HTMLElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

async function press(node: HTMLElement, fraction = 0.5): Promise<void> {
  const r = node.getBoundingClientRect();
  await sendMouse({
    type: 'click',
    position: [Math.round(r.left + r.width * fraction), Math.round(r.top + r.height / 2)],
  });
}

/** Seconds between the playhead and the newest playable position. */
const behind = (el: RelayPlayer) => el.seekable.end(el.seekable.length - 1) - el.currentTime;

describe('<relay-player controls> live DVR (HLS live window)', () => {
  it('seeks back inside the window, stays behind while playing, and "Go to live" returns to the edge', async () => {
    const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
    host.innerHTML = `<relay-player src="/media/live.m3u8?id=${uid('dvr')}&window=30" autoplay muted controls></relay-player>`;
    const el = host.querySelector('relay-player')!;
    await until('live playing', () => el.state === 'playing' && el.currentTime > 0, 30000);
    expect(el.duration).to.equal(Infinity);
    const bar = (await until('DVR seek bar', async () => {
      await el.updateComplete;
      return part(el, 'seek-bar');
    })) as HTMLInputElement;
    expect(part(el, 'live-badge')!.tagName).to.equal('SPAN');
    const min = Number(bar.min);
    const max = Number(bar.max);
    expect(max - min, 'window seconds').to.be.at.least(15);
    expect(behind(el)).to.be.below(8);

    // a press a quarter along the bar: well back in the window
    el.scrollIntoView();
    await press(bar, 0.25);
    await until('behind the edge', () => behind(el) > 10, 5000);
    // still there, and playing, several seconds later (hls.js would have jumped back after 8 s behind)
    await sleep(4000);
    expect(behind(el), 'stays behind').to.be.above(10);
    expect(el.paused).to.equal(false);
    await el.updateComplete;
    expect(bar.getAttribute('aria-valuetext')).to.match(/^\d+:\d\d behind live$/);
    expect(part(el, 'time')!.textContent).to.match(/^-\d+:\d\d$/);
    const goLive = part(el, 'go-live')!;
    expect(goLive.tagName).to.equal('BUTTON');
    expect(goLive.textContent!.trim()).to.equal('Go to live');
    await executeServerCommand('player-screenshot', { name: 'relay-player-dvr' });

    await press(goLive);
    await until('back at the edge', () => behind(el) < 5, 5000);
    await until('the LIVE badge again', async () => {
      await el.updateComplete;
      return part(el, 'live-badge')?.tagName === 'SPAN';
    });
    const t = el.currentTime;
    await until('playing on', () => el.currentTime > t + 1);

    // keyboard: Home on the bar goes to the oldest part of the window
    bar.focus();
    await sendKeys({ press: 'Home' });
    await until('at the window start', () => behind(el) > 15, 5000);
  });

  it('fits a 390 px phone with the DVR bar and "Go to live" (zh-CN)', async () => {
    await setViewport({ width: 390, height: 800 });
    try {
      const host = await fixture<HTMLDivElement>(html`<div lang="zh-CN" style="width:374px"></div>`);
      host.innerHTML = `<relay-player src="/media/live.m3u8?id=${uid('dvr-phone')}&window=30" autoplay muted controls></relay-player>`;
      const el = host.querySelector('relay-player')!;
      await until('live playing', () => el.state === 'playing' && el.currentTime > 0, 30000);
      const bar = await until('DVR seek bar', async () => (await el.updateComplete, part(el, 'seek-bar')));
      bar.focus();
      await sendKeys({ press: 'Home' });
      const goLive = await until('Go to live', async () => (await el.updateComplete, part(el, 'go-live')));
      expect(goLive.textContent!.trim()).to.equal('回到直播');
      expect(bar.getAttribute('aria-valuetext')).to.match(/^落后直播 \d+:\d\d$/);
      const controls = part(el, 'controls')!;
      expect(controls.scrollWidth, 'control bar content').to.be.at.most(controls.clientWidth + 1);
      expect(document.documentElement.scrollWidth).to.be.at.most(390);
      await executeServerCommand('player-screenshot', { name: 'relay-player-dvr-390' });
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('shows no seek bar for a short live window (6 s)', async () => {
    const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
    host.innerHTML = `<relay-player src="/media/live.m3u8?id=${uid('short')}" autoplay muted controls></relay-player>`;
    const el = host.querySelector('relay-player')!;
    await until('live playing', () => el.state === 'playing', 30000);
    await el.updateComplete;
    expect(part(el, 'seek-bar')).to.equal(null);
    expect(part(el, 'live-badge')).to.not.equal(null);
  });
});
