import { expect } from '@open-wc/testing';
import { loadLazyModule, setLazyModuleLoader } from '../src/lazy-modules.js';
import '../src/lazy-modules-esm.js';

describe('lazy modules', () => {
  it('loads hls.js and mpegts.js on demand, once', async () => {
    const hls = await loadLazyModule('hls');
    expect(typeof hls.isSupported).to.equal('function');
    expect(hls.isSupported()).to.equal(true);
    const mpegts = await loadLazyModule('mpegts');
    expect(mpegts.getFeatureList().mseLivePlayback).to.equal(true);
    expect(await loadLazyModule('hls')).to.equal(hls);
  });

  it('rejects clearly when a module fails to load, and retries next time', async () => {
    let calls = 0;
    setLazyModuleLoader('trtc', () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('offline')) : Promise.resolve('sdk');
    });
    let err: unknown;
    try {
      await loadLazyModule('trtc');
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).to.equal('offline');
    expect(await loadLazyModule('trtc')).to.equal('sdk');
  });
});
