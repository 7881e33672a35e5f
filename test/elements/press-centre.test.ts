/**
 * test/support/input.ts `pressCentre`, the real pointer press every element test uses: it clicks a control a person
 * can see, and refuses (so the test fails) a control that is covered, has no box, or sits in a 0×0 host.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { pressCentre } from '../support/input.js';

async function pressed(button: HTMLElement): Promise<number> {
  let clicks = 0;
  button.addEventListener('click', () => clicks++);
  await pressCentre(button);
  return clicks;
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e.message,
  );

describe('pressCentre (test/support/input.ts)', () => {
  it('clicks a visible button once, also one inside a shadow root', async () => {
    const host = await fixture<HTMLDivElement>(html`<div><button>Go</button><span></span></div>`);
    expect(await pressed(host.querySelector('button')!)).to.equal(1);
    const root = host.querySelector('span')!.attachShadow({ mode: 'open' });
    root.innerHTML = '<button part="go">Go</button>';
    expect(await pressed(root.querySelector('button')!)).to.equal(1);
  });

  it('refuses a button covered by another box, and does not click it', async () => {
    const host = await fixture<HTMLDivElement>(
      html`<div style="position:relative">
        <button>Go</button>
        <div id="cover" style="position:absolute;inset:0"></div>
      </div>`,
    );
    const button = host.querySelector('button')!;
    let clicks = 0;
    button.addEventListener('click', () => clicks++);
    expect(await refusal(pressCentre(button)))
      .to.contain('covered')
      .and.contain('#cover');
    expect(clicks).to.equal(0);
  });

  it('refuses a control with no box: 0×0, display:none, or inside a 0×0 host that clips it', async () => {
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <button id="flat" style="width:0;height:0;padding:0;border:0"></button>
        <button id="gone" style="display:none">Go</button>
        <span id="clip" style="display:block;width:0;height:0;overflow:hidden"><button>Go</button></span>
      </div>`,
    );
    expect(await refusal(pressCentre(host.querySelector('#flat')!))).to.contain('no box');
    expect(await refusal(pressCentre(host.querySelector('#gone')!))).to.contain('no box');
    expect(await refusal(pressCentre(host.querySelector('#clip button')!))).to.match(/covered|no box/);
  });
});
