/**
 * Push credentials (`docs/contracts.md` "Credentials") with the real local provider against the stub relay's `auth`
 * scenario (test/support/push-stubs.plugin.mjs), which checks txSecret = md5(key + streamId + txTime) on every
 * request and on the ingest socket's upgrade, as a relay started with RELAY_PUSH_KEY does.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/register.js';
import '../../src/lazy/esm.js';
import type { LivePushControls } from '../../src/elements/live-push-controls/live-push-controls.js';
import { validatePushOptions } from '../../src/push/options.js';
import { createPushProvider } from '../../src/push/provider.js';
import { rejection } from '../support/until.js';

interface LogEntry {
  scenario: string;
  method: string;
  path: string;
  auth?: string;
  origin?: string | null;
  contentType?: string | null;
  body?: unknown;
  token?: string | null;
  bytes?: number;
}

let stubUrl: string;
const reset = (): Promise<unknown> => fetch(`${stubUrl}/reset`, { method: 'POST' });
const log = async (): Promise<LogEntry[]> => (await (await fetch(`${stubUrl}/log`)).json()) as LogEntry[];

describe('push credentials (txSecret/txTime) on a relay with RELAY_PUSH_KEY', () => {
  let media: MediaStream;
  before(async () => {
    ({ stubUrl } = (await (await fetch('/push-stubs/info')).json()) as { stubUrl: string });
    media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  });
  after(() => media.getTracks().forEach((t) => t.stop()));
  beforeEach(reset);

  it('credential-endpoint: asks the site first, then signs create, ingest, relay, stop and delete', async () => {
    const provider = createPushProvider('local', {
      endpoint: `${stubUrl}/auth`,
      credentialEndpoint: `${stubUrl}/credentials`,
    });
    const result = await provider.start(validatePushOptions({ encode: 'flv' }), media);
    expect(result.streamId).to.match(/^cred-\d+$/);
    await provider.stop();

    const entries = await log();
    // The ingest carried media once the upgrade was authorised.
    expect(entries.find((e) => e.method === 'WS')?.bytes).to.be.greaterThan(0);
    const [asked, ...relay] = entries.filter((e) => e.method !== 'WS');
    expect(asked).to.deep.include({
      scenario: 'credentials',
      method: 'POST',
      origin: location.origin,
      contentType: 'application/json',
      body: {},
    });
    expect(relay.map((e) => `${e.method} ${e.path} ${e.auth}`)).to.deep.equal([
      `POST /api/streams ok`,
      `WS-UPGRADE /auth/ingest/${result.streamId} ok`,
      `POST /api/streams/${result.streamId}/relay ok`,
      `DELETE /api/streams/${result.streamId}/relay ok`,
      `DELETE /api/streams/${result.streamId} ok`,
    ]);
    // The relay's own ingest token is kept next to the credentials.
    expect(relay[1].token).to.equal('t0k');
  });

  it('credential-endpoint is asked for the page-chosen stream-id', async () => {
    const provider = createPushProvider('local', {
      endpoint: `${stubUrl}/auth`,
      credentialEndpoint: `${stubUrl}/credentials`,
    });
    const result = await provider.start(validatePushOptions({ encode: 'hls', streamId: 'studio_1' }), media);
    expect(result.streamId).to.equal('studio_1');
    await provider.stop();
    expect((await log())[0].body).to.deep.equal({ streamId: 'studio_1' });
  });

  it('tx-secret / tx-time / stream-id attributes written by the server push without asking anyone', async () => {
    // What the site's server would write into the page (minted with the relay's key).
    const minted = (await (
      await fetch(`${stubUrl}/credentials`, {
        method: 'POST',
        body: JSON.stringify({ streamId: 'page_cam' }),
      })
    ).json()) as { txSecret: string; txTime: string };
    await reset();
    const el = await fixture<LivePushControls>(
      html`<live-push-controls
        endpoint=${`${stubUrl}/auth`}
        stream-id="page_cam"
        tx-secret=${minted.txSecret}
        tx-time=${minted.txTime}
      ></live-push-controls>`,
    );
    const live = await el.start();
    expect(live.streamId).to.equal('page_cam');
    await el.stop();
    const entries = await log();
    expect(entries.filter((e) => e.scenario === 'credentials')).to.deep.equal([]);
    expect(entries.filter((e) => e.method !== 'WS').map((e) => e.auth)).to.deep.equal([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
  });

  it('wrong credentials: the relay refuses with PUSH_AUTH_FAILED and no ingest is opened', async () => {
    const provider = createPushProvider('local', {
      endpoint: `${stubUrl}/auth`,
      txSecret: '0'.repeat(32),
      txTime: 'FFFFFFFF',
    });
    const err = await rejection(
      provider.start(validatePushOptions({ encode: 'flv', streamId: 'cam_9' }), media),
    );
    expect(err).to.deep.include({ module: 'relay', code: 'PUSH_AUTH_FAILED' });
    expect((await log()).map((e) => `${e.method} ${e.auth}`)).to.deep.equal(['POST INVALID']);
  });

  it('an endpoint that refuses is CREDENTIALS_FAILED naming its URL and status, before the relay is called', async () => {
    const el = await fixture<LivePushControls>(
      html`<live-push-controls
        endpoint=${`${stubUrl}/auth`}
        credential-endpoint=${`${stubUrl}/credentials-403`}
      ></live-push-controls>`,
    );
    const err = await rejection(el.start());
    expect(err).to.deep.include({ module: 'push', code: 'CREDENTIALS_FAILED' });
    expect(err.message).to.contain(`${stubUrl}/credentials-403`);
    expect(err.message).to.contain('403');
    expect(el.state).to.equal('error');
    expect((await log()).map((e) => e.scenario)).to.deep.equal(['credentials']);
  });

  it('tx-secret without the stream id it was minted for is refused before any request', async () => {
    const provider = createPushProvider('local', {
      endpoint: `${stubUrl}/auth`,
      txSecret: 'abc',
      txTime: 'FFFFFFFF',
    });
    const err = await rejection(provider.start(validatePushOptions({ encode: 'flv' }), media));
    expect(err.code).to.equal('CREDENTIALS_FAILED');
    expect(err.message).to.contain('stream-id');
    expect(await log()).to.deep.equal([]);
  });
});
