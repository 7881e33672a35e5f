/**
 * The element's hold on a push session whose code arrives later, without the element: the real PushSession, its
 * code held back at a gate.
 */
import { expect } from '@open-wc/testing';
import { createPushProvider } from '../../src/push/provider.js';
import { PushSession } from '../../src/push/push-session.js';
import { PushSessionHandle } from '../../src/push/session-handle.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import { rejection } from '../support/until.js';

const silent = { onState() {}, onMedia() {}, onStarted() {}, onStopped() {}, onError() {} };

function gated(fail?: Error) {
  let open = (): void => undefined;
  const gate = new Promise<void>((r) => (open = r));
  let loads = 0;
  const errors: RelayErrorInfo[] = [];
  const handle = new PushSessionHandle(
    () => {
      loads += 1;
      return fail ? Promise.reject(fail) : gate.then(() => PushSession);
    },
    (Session) => new Session(silent, createPushProvider),
    (info) => errors.push(info),
  );
  return { handle, open: () => open(), errors, loads: () => loads };
}

describe('push session handle', () => {
  it('runs the calls made before the session arrived, in order, on one session', async () => {
    const { handle, open, loads } = gated();
    const order: string[] = [];
    const seen = new Set<PushSession>();
    const a = handle.run(async (s) => void (order.push('a'), seen.add(s)));
    const b = handle.ifThere((s) => void (order.push('b'), seen.add(s)));
    const c = handle.run(async (s) => void (order.push('c'), seen.add(s)));
    expect(handle.session).to.equal(null);
    open();
    await Promise.all([a, b, c]);
    expect(order).to.deep.equal(['a', 'b', 'c']);
    expect(seen.size).to.equal(1);
    expect(handle.session).to.be.instanceOf(PushSession);
    expect(loads()).to.equal(1);
  });

  it('does nothing for ifThere when no session is coming', async () => {
    const { handle, loads } = gated();
    let ran = false;
    await handle.ifThere(() => void (ran = true));
    expect(ran).to.equal(false);
    expect(loads()).to.equal(0);
  });

  it('drops a call still waiting when its host left, with START_CANCELLED', async () => {
    const { handle, open } = gated();
    let ran = false;
    const waiting = handle.run(async () => void (ran = true));
    handle.release();
    open();
    const err = await rejection(waiting);
    expect(err.code).to.equal('START_CANCELLED');
    expect(ran).to.equal(false);
  });

  it('reports code that cannot be fetched as ENGINE_LOAD_FAILED, and fetches again on the next call', async () => {
    const { handle, errors, loads } = gated(new Error('relay-widgets-push-session.js: HTTP 404'));
    const err = await rejection(handle.run(async () => undefined));
    expect(err).to.include({ module: 'push', code: 'ENGINE_LOAD_FAILED' });
    expect(err.message).to.contain('HTTP 404');
    expect(errors.map((e) => e.code)).to.deep.equal(['ENGINE_LOAD_FAILED']);
    await rejection(handle.run(async () => undefined));
    expect(loads()).to.equal(2);
  });
});
