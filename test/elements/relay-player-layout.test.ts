/**
 * `<relay-player>` placed as a page author places a `<video>`, with no CSS of their own: inside media-chrome's
 * `<media-controller>` (the README's snippet as written), in a flex row, in a grid cell and in a narrow CMS
 * column. Each must show a box of the video's shape, and play when a real pointer presses play.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RelayPlayer } from '../../src/elements/relay-player/relay-player.js';
import { pressCentre, seesPlayback } from '../support/player.js';
import { until } from '../support/until.js';

async function screenshot(name: string): Promise<void> {
  await executeServerCommand('player-screenshot', { name });
}

/** The player's box: visible, of its picture's shape (16:9 until the video says otherwise), on screen. */
function expectVisibleBox(el: RelayPlayer, minWidth: number): DOMRect {
  const r = el.getBoundingClientRect();
  expect(r.width, 'player width').to.be.at.least(minWidth);
  expect(r.height, 'player height').to.be.above(0);
  expect(r.width / r.height, 'aspect ratio').to.be.within(1.2, 1.8);
  return r;
}

/** The player's own play button, once the player asks for a press. */
async function bigPlayButton(el: RelayPlayer): Promise<HTMLButtonElement> {
  return until('the play button', async () => {
    await el.updateComplete;
    return el.shadowRoot!.querySelector<HTMLButtonElement>('button[part=play-button]');
  });
}

describe('<relay-player> unstyled inside media-chrome (README snippet as written)', () => {
  it("renders at a video's size and plays when a pointer presses media-chrome's play button", async () => {
    await import('media-chrome');
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    // README: <media-controller><relay-player slot="media" src="…"></relay-player><media-control-bar>…</media-control-bar></media-controller>
    host.innerHTML =
      '<media-controller><relay-player slot="media" src="/media/rec.mp4"></relay-player>' +
      '<media-control-bar><media-play-button></media-play-button><media-time-range></media-time-range>' +
      '<media-mute-button></media-mute-button></media-control-bar></media-controller>';
    const el = host.querySelector('relay-player')!;
    const controller = host.querySelector('media-controller')!;
    const playButton = host.querySelector('media-play-button')!;
    await until('media-chrome sees a paused player', () => playButton.hasAttribute('mediapaused'));
    await el.updateComplete;
    const box = expectVisibleBox(el, 300);
    const c = controller.getBoundingClientRect();
    expect(c.height, 'the controller wraps the player').to.be.at.least(box.height - 1);
    await screenshot('layout-media-chrome-paused');

    await pressCentre(playButton);
    await until('playing through media-chrome', () => el.state === 'playing' && !el.paused);
    await seesPlayback(el);
    await until('the play button reflects it', () => !playButton.hasAttribute('mediapaused'));
    expect(el.media!.getBoundingClientRect().height, 'the picture is shown').to.be.above(100);
    await screenshot('layout-media-chrome-playing');

    await pressCentre(playButton);
    await until('paused through media-chrome', () => el.paused && playButton.hasAttribute('mediapaused'));
    expect(el.state).to.equal('paused');
  });
});

describe('<relay-player> unstyled in page layouts', () => {
  const layouts: [string, string, number][] = [
    [
      'a flex row',
      '<div style="display:flex;gap:8px"><relay-player src="/media/rec.mp4"></relay-player><p>Beside it</p></div>',
      250,
    ],
    [
      'a grid cell',
      '<div style="display:grid;grid-template-columns:1fr 1fr;gap:8px"><relay-player src="/media/rec.mp4"></relay-player><p>Next cell</p></div>',
      250,
    ],
    [
      'a narrow CMS column',
      '<article style="width:280px"><h2>Post</h2><p>Some text.</p><relay-player src="/media/rec.mp4"></relay-player><p>More text.</p></article>',
      250,
    ],
  ];
  for (const [name, markup, minWidth] of layouts) {
    it(`in ${name}: a visible box that plays when a pointer presses play`, async () => {
      const host = await fixture<HTMLDivElement>(html`<div style="width:800px"></div>`);
      host.innerHTML = markup;
      const el = host.querySelector('relay-player')!;
      await el.updateComplete;
      const r = expectVisibleBox(el, minWidth);
      expect(r.right, 'inside its container').to.be.at.most(host.getBoundingClientRect().right + 0.5);
      await screenshot(`layout-${name.replace(/\W+/g, '-')}`);
      await pressCentre(await bigPlayButton(el));
      await seesPlayback(el);
      expect(el.state).to.equal('playing');
    });
  }
});
