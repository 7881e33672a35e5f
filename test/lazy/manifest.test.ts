import { expect } from '@open-wc/testing';
import { loadLazyModule, type LazyModuleName } from '../../src/lazy/registry.js';
import { esmLoaders } from '../../src/lazy/esm.generated.js';

interface Manifest {
  modules: Record<string, { file: string; package?: string; optionalPeer?: boolean }>;
}
const manifest = async (): Promise<Manifest> =>
  (await fetch(new URL('../../src/lazy/manifest.json', import.meta.url))).json() as Promise<Manifest>;

describe('lazy-module manifest', () => {
  it('every module it lists loads in an ES module app with no loader set up by the page', async () => {
    const { modules } = await manifest();
    expect(Object.keys(esmLoaders)).to.deep.equal(Object.keys(modules));
    const loaded: Record<string, string> = {};
    for (const [name, m] of Object.entries(modules)) {
      if (m.optionalPeer) continue;
      const value = await loadLazyModule(name as LazyModuleName);
      loaded[name] = value === null ? 'null' : typeof value;
    }
    // Each one is a class, a function or a table of functions: never `undefined` from a file without that export.
    for (const [name, kind] of Object.entries(loaded)) expect(kind, name).to.be.oneOf(['function', 'object']);
  });

  it('an optional peer the app did not hand over fails with an error, not a hang', async () => {
    const { modules } = await manifest();
    const peers = Object.keys(modules).filter((n) => modules[n].optionalPeer);
    expect(peers).to.deep.equal(['trtc-sdk-v5', 'trtc-cdn-streaming', 'trtc-js-sdk']);
    let err: unknown;
    try {
      await loadLazyModule('trtc-js-sdk');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(Error);
  });
});
