/** The live push's elapsed time, without the element: real time, a real interval. */
import { expect } from '@open-wc/testing';
import { ElapsedClock, formatElapsed } from '../../src/push/elapsed.js';
import { sleep, until } from '../support/until.js';

describe('elapsed clock', () => {
  it('formats minutes and seconds, and hours from one hour', () => {
    expect(formatElapsed(0)).to.equal('00:00');
    expect(formatElapsed(65)).to.equal('01:05');
    expect(formatElapsed(3600 + 62)).to.equal('1:01:02');
  });

  it('counts from live, holds while stopping, and is back at zero and silent after', async () => {
    let ticks = 0;
    const clock = new ElapsedClock(() => (ticks += 1));
    clock.follow('live');
    expect(clock.seconds).to.equal(0);
    await until('a tick', () => ticks >= 1);
    expect(clock.seconds).to.equal(1);
    clock.follow('stopping');
    await until('a tick while stopping', () => ticks >= 2);
    expect(clock.seconds).to.equal(2);
    clock.follow('previewing');
    expect(clock.seconds).to.equal(0);
    const after = ticks;
    await sleep(1100);
    expect(ticks).to.equal(after);
  });
});
