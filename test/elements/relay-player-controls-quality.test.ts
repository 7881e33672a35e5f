/**
 * <relay-player controls>' quality menu over `sources` entries that carry a `quality` label (the same stream in
 * several bitrates, Tencent's 清晰度 switch), chosen with the keyboard: a recording switches at the same time and
 * speed, a live FLV stream at its live edge. Real media from test/support/media-server.mjs.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import type { PlayUrl } from '../../src/contract/types.js';
import { until, uid } from '../support/until.js';

const part = (el: HTMLElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

async function player(sources: PlayUrl[], lang = 'en'): Promise<RelayPlayer> {
  const host = await fixture<HTMLDivElement>(html`<div lang=${lang} style="width:640px"></div>`);
  const el = document.createElement('relay-player');
  el.setAttribute('sources', JSON.stringify(sources));
  for (const a of ['autoplay', 'muted', 'controls']) el.setAttribute(a, '');
  host.append(el);
  await el.updateComplete;
  return el;
}

const menu = (el: RelayPlayer) =>
  until(
    'quality menu',
    async () => (await el.updateComplete, part(el, 'quality-menu') as HTMLSelectElement | null),
  );
const labels = (m: HTMLSelectElement) => [...m.options].map((o) => o.textContent!.trim());

describe('<relay-player controls> quality between labelled sources', () => {
  it('switches a paused MP4 recording to the other quality at the same time and speed', async () => {
    const el = await player([
      { url: '/media/rec.mp4', quality: '240p' },
      { url: '/media/controls/rec-low.mp4', quality: '120p' },
    ]);
    await until('playing', () => el.state === 'playing' && el.currentTime > 0.2);
    el.pause();
    el.playbackRate = 1.5;
    el.currentTime = 6;
    await until('at 6 s', () => Math.abs(el.currentTime - 6) < 0.2);
    const m = await menu(el);
    expect(labels(m), 'no Auto: the page named each source').to.deep.equal(['240p', '120p']);
    expect(m.selectedOptions[0]!.textContent!.trim()).to.equal('240p');
    expect(el.videoHeight).to.equal(240);

    m.focus();
    await sendKeys({ press: 'ArrowDown' });
    await until('the low source', () => el.currentUrl?.endsWith('/media/controls/rec-low.mp4'));
    await until('its picture', () => el.videoHeight === 120);
    await until('back at 6 s', () => Math.abs(el.currentTime - 6) < 0.3, 5000).catch((e: Error) => {
      throw new Error(`${e.message}: at ${el.currentTime}`);
    });
    expect(el.playbackRate, 'the speed chosen').to.equal(1.5);
    expect(el.paused, 'still paused').to.equal(true);
    await el.updateComplete;
    expect((await menu(el)).selectedOptions[0]!.textContent!.trim()).to.equal('120p');
  });

  it('switches an HLS recording, labelled in Chinese, and plays on from the same time', async () => {
    const el = await player(
      [
        { url: '/media/rec/index.m3u8', quality: '高清' },
        { url: '/media/rec-low/index.m3u8', quality: '流畅' },
      ],
      'zh-CN',
    );
    await until('playing', () => el.state === 'playing' && el.currentTime > 0.2);
    el.currentTime = 5;
    await until('at 5 s', () => el.currentTime >= 5);
    const m = await menu(el);
    expect(labels(m)).to.deep.equal(['高清', '流畅']);
    expect(m.getAttribute('aria-label')).to.equal('清晰度');
    m.focus();
    await sendKeys({ press: 'ArrowDown' });
    await until('the low rendition', () => el.currentUrl?.endsWith('/media/rec-low/index.m3u8'));
    await until(
      'playing at 120 lines from about 5 s',
      () => el.state === 'playing' && el.videoHeight === 120,
    );
    expect(el.currentTime, 'did not start again from 0').to.be.at.least(4.5);
  });

  it('switches a live FLV stream at the live edge, and closes the first connection', async () => {
    const a = uid('q-high');
    const b = uid('q-low');
    const el = await player([
      { encode: 'flv', url: `/media/live.flv?id=${a}`, quality: '240p' },
      { encode: 'flv', url: `/media/live.flv?id=${b}&q=low`, quality: '120p' },
    ]);
    await until('live playing', () => el.state === 'playing' && el.currentTime > 0.5);
    expect(el.videoHeight).to.equal(240);
    const m = await menu(el);
    m.focus();
    const pressed = performance.now();
    await sendKeys({ press: 'ArrowDown' });
    await until('the low stream playing', () => el.state === 'playing' && el.videoHeight === 120, 10000);
    const ms = performance.now() - pressed;
    const t = el.currentTime;
    await until('moving', () => el.currentTime > t + 0.5);
    console.log(`live FLV quality switch: ${Math.round(ms)} ms from the key press to the new picture`);
    const latency = el.getStats().latency;
    expect(latency, 'at the live edge').to.be.below(3);
    const stats = async (id: string) =>
      (await (await fetch(`/media/stats?id=${id}`)).json()) as { requests: number; open: number };
    await until('the first connection closed', async () => (await stats(a)).open === 0);
    expect((await stats(b)).open).to.equal(1);
    expect(el.currentUrl).to.include(`id=${b}`);
  });
});
