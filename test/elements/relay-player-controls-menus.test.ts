/**
 * <relay-player controls>' menus, pressed as a viewer presses them (pointer and keyboard, `sendMouse`/`sendKeys`):
 * playback speed for recordings, and captions from `<track>` children and from an HLS stream's subtitle renditions,
 * against real media (test/support/media-server.mjs).
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { until, uid } from '../support/until.js';

const part = (el: HTMLElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const focused = (el: HTMLElement) => el.shadowRoot!.activeElement as HTMLElement | null;
const items = (list: HTMLElement) =>
  [...list.querySelectorAll<HTMLElement>('[role=menuitemradio]')].map((i) => ({
    label: i.textContent!.trim(),
    checked: i.getAttribute('aria-checked') === 'true',
  }));

async function player(markup: string, width = 640, lang = 'en'): Promise<RelayPlayer> {
  const host = await fixture<HTMLDivElement>(html`<div lang=${lang} style="width:${width}px"></div>`);
  host.innerHTML = markup;
  const el = host.querySelector('relay-player')!;
  await el.updateComplete;
  return el;
}

/** A real pointer press in the middle of `node` (a control covered by another box would not get it). */
async function press(node: HTMLElement): Promise<void> {
  node.scrollIntoView({ block: 'center' });
  const r = node.getBoundingClientRect();
  await sendMouse({
    type: 'click',
    position: [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)],
  });
}

/** The control `name` once it is rendered. */
const control = (el: RelayPlayer, name: string) =>
  until(name, async () => (await el.updateComplete, part(el, name)));

/**
 * A player of `markup` that played a moment, then paused (and sought to `at` s when given), with its `name` menu
 * (`rate`, `captions`): the button once rendered, and the list.
 */
async function pausedWithMenu(
  markup: string,
  name: string,
  at?: number,
  timeout?: number,
): Promise<{ el: RelayPlayer; button: HTMLElement; list: HTMLElement }> {
  const el = await player(markup);
  await until('playing', () => el.state === 'playing' && el.currentTime > 0.2, timeout);
  el.pause();
  if (at !== undefined) el.currentTime = at;
  const button = await control(el, `${name}-menu-button`);
  return { el, button, list: part(el, `${name}-menu`)! };
}

const isOpen = (list: HTMLElement) => list.matches(':popover-open');

/** Seconds of media played per wall-clock second over `ms`. */
async function speedOver(el: RelayPlayer, ms: number): Promise<number> {
  const t0 = el.currentTime;
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return (el.currentTime - t0) / ((performance.now() - w0) / 1000);
}

describe('<relay-player controls> playback speed', () => {
  it('a recording plays at 2× chosen with the pointer, then at 1.25× chosen with the keyboard', async () => {
    const { el, button, list } = await pausedWithMenu(
      '<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>',
      'rate',
      0,
    );
    expect(button.getAttribute('aria-label')).to.equal('Speed 1×');
    expect(button.getAttribute('aria-haspopup')).to.equal('menu');
    expect(isOpen(list)).to.equal(false);

    await press(button);
    await until('menu open', () => isOpen(list));
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(items(list)).to.deep.equal([
      { label: '0.5×', checked: false },
      { label: '0.75×', checked: false },
      { label: 'Normal', checked: true },
      { label: '1.25×', checked: false },
      { label: '1.5×', checked: false },
      { label: '2×', checked: false },
    ]);
    expect(focused(el)?.textContent?.trim(), 'focus on the checked choice').to.equal('Normal');
    // the list is in the top layer, above the player's box: the pointer reaches it
    const two = [...list.querySelectorAll<HTMLElement>('[role=menuitemradio]')][5]!;
    await press(two);
    await until('2×', () => el.playbackRate === 2);
    expect(isOpen(list)).to.equal(false);
    expect(focused(el), 'focus back on the button').to.equal(button);
    await el.updateComplete;
    expect(button.getAttribute('aria-label')).to.equal('Speed 2×');
    expect(button.getAttribute('aria-expanded')).to.equal('false');

    el.play();
    await until('playing again', () => el.state === 'playing' && !el.paused);
    const fast = await speedOver(el, 2000);
    expect(fast, 'media seconds per second at 2×').to.be.above(1.6);
    el.pause();

    // keyboard: ↓ opens on the checked choice, ↑↑ moves to 1.25×, Enter chooses it
    button.focus();
    await sendKeys({ press: 'ArrowDown' });
    await until('menu open by keyboard', () => isOpen(list));
    expect(focused(el)?.textContent?.trim()).to.equal('2×');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    expect(focused(el)?.textContent?.trim()).to.equal('1.25×');
    // ←/→ inside the menu do not seek
    const at = el.currentTime;
    await sendKeys({ press: 'ArrowLeft' });
    expect(el.currentTime).to.equal(at);
    await sendKeys({ press: 'Enter' });
    await until('1.25×', () => el.playbackRate === 1.25);
    expect(isOpen(list)).to.equal(false);
    // Enter opens, Escape closes without a change and gives focus back
    await sendKeys({ press: 'Enter' });
    await until('menu open by Enter', () => isOpen(list));
    await sendKeys({ press: 'End' });
    expect(focused(el)?.textContent?.trim()).to.equal('2×');
    await sendKeys({ press: 'Escape' });
    await until('closed by Escape', () => !isOpen(list));
    expect(focused(el)).to.equal(button);
    expect(el.playbackRate).to.equal(1.25);
    expect(el.paused, 'Escape did not play or pause').to.equal(true);
  });

  it('is not offered for a live stream, and is labelled in Chinese', async () => {
    const live = await player(
      `<relay-player src="/media/live.flv?id=${uid('rate')}" autoplay muted controls></relay-player>`,
    );
    await until('live playing', () => live.state === 'playing');
    await control(live, 'live-badge');
    expect(part(live, 'rate-menu-button')).to.equal(null);

    const el = await player(
      '<relay-player src="/media/rec.mp4" autoplay muted controls></relay-player>',
      640,
      'zh-CN',
    );
    await until('playing', () => el.state === 'playing');
    el.pause();
    const button = await control(el, 'rate-menu-button');
    expect(button.getAttribute('aria-label')).to.equal('倍速 1×');
    expect(part(el, 'rate-menu')!.getAttribute('aria-label')).to.equal('倍速');
    expect(items(part(el, 'rate-menu')!)[2]).to.deep.equal({ label: '正常', checked: true });
  });
});

const tracks = `<track kind="subtitles" src="/media/controls/subs-en.vtt" srclang="en" label="English">
  <track kind="subtitles" src="/media/controls/subs-zh.vtt" srclang="zh" label="中文">`;

/** The text of the cues showing now on the player's video. */
const showing = (el: RelayPlayer): string[] =>
  [...el.textTracks]
    .filter((t) => t.mode === 'showing')
    .flatMap((t) => [...(t.activeCues ?? [])].map((c) => (c as VTTCue).text));

describe('<relay-player controls> captions', () => {
  it('shows the <track> children chosen from the captions menu, by pointer and by keyboard, and turns them off', async () => {
    const { el, button, list } = await pausedWithMenu(
      `<relay-player src="/media/rec.mp4" autoplay muted controls>${tracks}</relay-player>`,
      'captions',
      1,
    );
    expect(button.getAttribute('aria-label')).to.equal('Captions');
    expect(items(list)).to.deep.equal([
      { label: 'Off', checked: true },
      { label: 'English', checked: false },
      { label: '中文', checked: false },
    ]);
    expect(showing(el)).to.deep.equal([]);

    await press(button);
    await until('menu open', () => isOpen(list));
    await press([...list.querySelectorAll<HTMLElement>('[role=menuitemradio]')][1]!);
    await until('English cue on the video', () => showing(el).join() === 'One');
    await el.updateComplete;
    expect(items(list).find((i) => i.checked)?.label).to.equal('English');

    // keyboard: Enter opens on English, ↓ to 中文, Space chooses it; the cue follows the time
    button.focus();
    await sendKeys({ press: 'Enter' });
    await until('menu open by keyboard', () => isOpen(list));
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: ' ' });
    el.currentTime = 5;
    await until('Chinese cue at 5 s', () => showing(el).join() === '二');
    expect([...el.textTracks].map((t) => `${t.label}:${t.mode}`)).to.deep.equal([
      'English:disabled',
      '中文:showing',
    ]);
    await executeServerCommand('player-screenshot', { name: 'relay-player-captions' });

    // Off
    await sendKeys({ press: 'Enter' });
    await until('menu open', () => isOpen(list));
    await sendKeys({ press: 'Home' });
    await sendKeys({ press: 'Enter' });
    await until('no captions', () => showing(el).length === 0);
    expect([...el.textTracks].some((t) => t.mode === 'showing')).to.equal(false);
  });

  it('shows a default <track> without controls, and follows tracks added and removed later', async () => {
    const el = await player(
      `<relay-player src="/media/rec.mp4" autoplay muted>
        <track kind="captions" src="/media/controls/subs-en.vtt" srclang="en" label="English" default>
      </relay-player>`,
    );
    await until('playing', () => el.state === 'playing');
    el.pause();
    el.currentTime = 9;
    await until('default captions shown', () => showing(el).join() === 'Three');

    const withMenu = await player(
      '<relay-player src="/media/rec.mp4" autoplay muted controls lang="zh-CN"></relay-player>',
    );
    await until('playing', () => withMenu.state === 'playing');
    withMenu.pause();
    await withMenu.updateComplete;
    expect(part(withMenu, 'captions-menu-button'), 'no menu without tracks').to.equal(null);
    withMenu.insertAdjacentHTML('beforeend', tracks);
    const button = await control(withMenu, 'captions-menu-button');
    expect(button.getAttribute('aria-label')).to.equal('字幕');
    expect(items(part(withMenu, 'captions-menu')!).map((i) => i.label)).to.deep.equal([
      '关闭',
      'English',
      '中文',
    ]);
    withMenu.querySelectorAll('track').forEach((t) => t.remove());
    await until('menu gone with the tracks', async () => {
      await withMenu.updateComplete;
      return part(withMenu, 'captions-menu-button') === null;
    });
  });

  it("lists an HLS stream's subtitle renditions and shows the one chosen", async () => {
    const { el, button, list } = await pausedWithMenu(
      '<relay-player src="/media/controls/subs.m3u8" autoplay muted controls></relay-player>',
      'captions',
      undefined,
      30000,
    );
    await until('both renditions listed', async () => {
      await el.updateComplete;
      return (
        items(list)
          .map((i) => i.label)
          .join() === 'Off,English,中文'
      );
    });
    await press(button);
    await until('menu open', () => isOpen(list));
    await press([...list.querySelectorAll<HTMLElement>('[role=menuitemradio]')][2]!);
    el.currentTime = 5;
    await until('the Chinese rendition cue at 5 s', () => showing(el).join() === '二', 15000);
    el.currentTime = 9;
    await until('the next cue at 9 s', () => showing(el).join() === '三', 15000);
  });
});

describe('<relay-player controls> menus: accessibility', () => {
  for (const lang of ['en', 'zh-CN']) {
    it(`has no axe violations with the speed and captions menus shown, closed and open (${lang})`, async () => {
      await import('axe-core');
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const el = await player(
        `<relay-player src="/media/rec.mp4" autoplay muted controls>${tracks}</relay-player>`,
        640,
        lang,
      );
      await until('playing', () => el.state === 'playing');
      el.pause();
      await control(el, 'rate-menu-button');
      const button = await control(el, 'captions-menu-button');
      const run = async () =>
        (await axe.run(el, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.help}`);
      expect(await run()).to.deep.equal([]);
      await press(button);
      await until('menu open', () => isOpen(part(el, 'captions-menu')!));
      expect(await run()).to.deep.equal([]);
      await sendKeys({ press: 'Escape' });
    });
  }
});

describe('<relay-player controls> menus at phone and desktop widths', () => {
  for (const width of [390, 1280]) {
    it(`open inside the viewport at ${width} px`, async () => {
      await setViewport({ width, height: 800 });
      try {
        const el = await player(
          `<relay-player src="/media/rec.mp4" autoplay muted controls>${tracks}</relay-player>`,
          Math.min(width - 16, 640),
        );
        await until('playing', () => el.state === 'playing');
        el.pause();
        const bar = part(el, 'controls')!;
        const button = await control(el, 'rate-menu-button');
        await control(el, 'captions-menu-button');
        expect(bar.scrollWidth, 'control bar content').to.be.at.most(bar.clientWidth + 1);
        await press(button);
        const list = part(el, 'rate-menu')!;
        await until('menu open', () => isOpen(list));
        const r = list.getBoundingClientRect();
        expect(r.left).to.be.at.least(0);
        expect(r.right).to.be.at.most(width);
        expect(r.top).to.be.at.least(0);
        await executeServerCommand('player-screenshot', { name: `relay-player-menu-${width}` });
        // the open list follows its button when the page scrolls
        const gap = () => list.getBoundingClientRect().top - button.getBoundingClientRect().top;
        const before = gap();
        const spacer = document.body.appendChild(document.createElement('div'));
        spacer.style.height = '2000px';
        try {
          window.scrollBy(0, 30);
          await until('scrolled', () => window.scrollY > 0);
          await until('the list moved with its button', () => Math.abs(gap() - before) < 1);
        } finally {
          spacer.remove();
        }
        await sendKeys({ press: 'Escape' });
      } finally {
        await setViewport({ width: 800, height: 600 });
      }
    });
  }
});
