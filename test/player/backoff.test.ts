import { expect } from '@open-wc/testing';
import { Backoff, backoffDelay, DEFAULT_BACKOFF } from '../../src/player/backoff.js';

describe('backoff', () => {
  const opts = { initialMs: 500, maxMs: 8000, factor: 2, jitter: 0.5 };

  it('grows exponentially up to the bound (no jitter)', () => {
    const noJitter = { ...opts, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, noJitter))).to.deep.equal([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
  it('jitters within [50 %, 100 %] of the nominal delay', () => {
    expect(backoffDelay(2, opts, () => 0)).to.equal(1000);
    expect(backoffDelay(2, opts, () => 1)).to.equal(2000);
    expect(backoffDelay(2, opts, () => 0.5)).to.equal(1500);
  });
  it('never exceeds the bound nor goes below half the first delay, whatever the randomness', () => {
    for (let a = 0; a < 50; a++) {
      const d = backoffDelay(a, DEFAULT_BACKOFF);
      expect(d).to.be.at.most(DEFAULT_BACKOFF.maxMs);
      expect(d).to.be.at.least(DEFAULT_BACKOFF.initialMs * (1 - DEFAULT_BACKOFF.jitter));
    }
  });
  it('counts attempts and starts over after reset', () => {
    const b = new Backoff({ ...opts, jitter: 0 });
    expect([b.next(), b.next(), b.next()]).to.deep.equal([500, 1000, 2000]);
    expect(b.attempts).to.equal(3);
    b.reset();
    expect(b.attempts).to.equal(0);
    expect(b.next()).to.equal(500);
  });
});
