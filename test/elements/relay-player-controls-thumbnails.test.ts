/**
 * <relay-player controls>' seek-bar thumbnails from a WebVTT sprite track (`<track kind="metadata"
 * label="thumbnails">`, cues `thumbs.jpg#xywh=…`, made by ffmpeg from the recording): shown for the time under the
 * pointer and for the time the keyboard moves to.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { until } from '../support/until.js';

const part = (el: HTMLElement, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

async function pausedRecording(children: string): Promise<RelayPlayer> {
  const host = await fixture<HTMLDivElement>(html`<div style="width:640px"></div>`);
  host.innerHTML = `<relay-player src="/media/rec.mp4" autoplay muted controls>${children}</relay-player>`;
  const el = host.querySelector('relay-player')!;
  await until('playing', () => el.state === 'playing' && el.currentTime > 0.2);
  el.pause();
  el.currentTime = 1;
  await until('at 1 s', () => Math.abs(el.currentTime - 1) < 0.3);
  const bar = await until('seek bar', async () => (await el.updateComplete, part(el, 'seek-bar')));
  el.scrollIntoView();
  // the bar's width settles once the status beside it says the player is paused
  let last = -1;
  await until('the bar to keep its width', async () => {
    await new Promise((r) => setTimeout(r, 250));
    const now = bar.getBoundingClientRect().width;
    const same = now === last;
    last = now;
    return same;
  });
  return el;
}

/** What the preview shows: its time and the sprite tile (background position), or null when hidden. */
function preview(el: RelayPlayer): { time: string; tile: string; size: string; image: string } | null {
  const box = part(el, 'seek-thumbnail');
  if (!box || box.hidden || getComputedStyle(box).display === 'none') return null;
  const pic = box.firstElementChild as HTMLElement;
  const style = getComputedStyle(pic);
  return {
    time: box.textContent!.trim(),
    tile: `${style.backgroundPositionX} ${style.backgroundPositionY}`,
    size: `${style.width} ${style.height}`,
    image: style.backgroundImage.replace(/^url\("?(.*?)"?\)$/, '$1').replace(location.origin, ''),
  };
}

describe('<relay-player controls> seek thumbnails', () => {
  it('shows the sprite tile of the time under the pointer, above the bar, and hides it when the pointer leaves', async () => {
    const el = await pausedRecording(
      '<track kind="metadata" label="thumbnails" src="/media/controls/thumbs.vtt">',
    );
    const bar = part(el, 'seek-bar') as HTMLInputElement;
    // the thumbnails track does not count as captions
    expect(part(el, 'captions-menu-button')).to.equal(null);
    let r = bar.getBoundingClientRect();
    const y = () => Math.round(r.top + r.height / 2);
    const xAt = (s: number) => Math.round(r.left + 6 + ((r.width - 12) * s) / el.duration);
    await until('cues loaded', async () => {
      await el.updateComplete;
      r = bar.getBoundingClientRect(); // (the status text beside it settles after the pause)
      await sendMouse({ type: 'move', position: [xAt(7.5), y()] });
      return preview(el);
    });
    expect(preview(el)).to.deep.equal({
      time: '0:07',
      tile: '-240px -60px',
      size: '80px 60px',
      image: '/media/controls/thumbs.jpg',
    });
    const box = part(el, 'seek-thumbnail')!.getBoundingClientRect();
    const player = el.getBoundingClientRect();
    expect(box.bottom, 'above the bar').to.be.at.most(r.top + 1);
    expect(box.left).to.be.at.least(player.left);
    expect(box.right).to.be.at.most(player.right);
    expect(Math.abs((box.left + box.right) / 2 - xAt(7.5)), 'centred on the pointer').to.be.below(2);
    await new Promise((r) => setTimeout(r, 500)); // (the sprite loads)
    await executeServerCommand('player-screenshot', { name: 'relay-player-thumbnails' });

    await sendMouse({ type: 'move', position: [xAt(0.2), y()] });
    await until('first tile', () => preview(el)?.tile === '0px 0px');
    expect(preview(el)!.time).to.equal('0:00');
    await sendMouse({ type: 'move', position: [Math.round(player.left + 20), Math.round(player.top + 20)] });
    await until('hidden when the pointer leaves', () => preview(el) === null);
    expect(el.currentTime, 'hovering does not seek').to.be.closeTo(1, 0.3);
  });

  it('shows the tile for the keyboard focus and follows the arrow keys', async () => {
    const el = await pausedRecording(
      '<track kind="metadata" label="thumbnails" src="/media/controls/thumbs.vtt">',
    );
    // Tab from the play button reaches the seek bar, as a keyboard user does
    part(el, 'play-toggle')!.focus();
    await until('cues loaded', async () => {
      await sendKeys({ press: 'Tab' });
      if (preview(el)) return true;
      await sendKeys({ press: 'Shift+Tab' });
      return false;
    });
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'seek-bar'));
    expect(preview(el)!.time).to.equal('0:01');
    await sendKeys({ press: 'ArrowRight' });
    await until('at 6 s', () => Math.abs(el.currentTime - 6) < 0.3);
    expect(preview(el)).to.include({ time: '0:06', tile: '-160px -60px' });
    await sendKeys({ press: 'Tab' });
    await until('hidden when focus leaves', () => preview(el) === null);
  });

  it('shows no preview without a thumbnails track', async () => {
    const el = await pausedRecording('');
    expect(part(el, 'seek-thumbnail')).to.equal(null);
  });
});
