/**
 * The HTTP half of WHIP/WHEP against a cross-origin server that answers every way a real one might
 * (`test/support/sdp-stubs.plugin.mjs`): what the page learns for each answer outside RFC 9725, and that the
 * requests are the RFC's (content types, Bearer token, If-Match, DELETE of the Location).
 */
import { expect } from '@open-wc/testing';
import {
  applyRestartAnswer,
  exchangeSdp,
  parseIceServerLinks,
  trickleFragment,
  type SdpExchangeOptions,
} from '../../src/webrtc/sdp-resource.js';
import { isRelayError } from '../../src/contract/errors.js';

interface Logged {
  method: string;
  path: string;
  auth: string | null;
  type: string | null;
  ifMatch: string | null;
  body: string;
}

let base: string;
const OFFER =
  'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:localpassword1234567890\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=ice-ufrag:abcd\r\na=ice-pwd:localpassword1234567890\r\n';

before(async () => {
  base = ((await (await fetch('/sdp-stubs/info')).json()) as { url: string }).url;
});
beforeEach(async () => {
  await fetch(`${base}/reset`, { method: 'POST' });
});

const log = async (): Promise<Logged[]> => (await (await fetch(`${base}/log`)).json()) as Logged[];

function opts(scenario: string, extra: Partial<SdpExchangeOptions> = {}): SdpExchangeOptions {
  return { protocol: 'WHIP', module: 'push', endpoint: `${base}/${scenario}/whip/s1`, ...extra };
}

async function failure(p: Promise<unknown>): Promise<{ module: string; code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(isRelayError(err), String(err)).to.equal(true);
    return err as { module: string; code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('WHIP/WHEP resource exchange', () => {
  it('POSTs the offer as application/sdp with the Bearer token, and returns the resource, answer, ICE servers', async () => {
    const r = await exchangeSdp(OFFER, opts('ok', { token: 'secret-token' }));
    expect(r.url).to.match(new RegExp(`^${base}/ok/res/\\d+$`));
    expect(r.answer.startsWith('v=0')).to.equal(true);
    expect(r.etag).to.match(/^"e\d+"$/);
    expect(r.iceServers).to.deep.equal([
      { urls: 'turn:127.0.0.1:3478?transport=udp', username: 'user', credential: 'pass' },
      { urls: 'stun:127.0.0.1:3478' },
    ]);
    const [post] = await log();
    expect(post).to.include({
      method: 'POST',
      path: '/ok/whip/s1',
      auth: 'Bearer secret-token',
      type: 'application/sdp',
    });
    expect(post!.body).to.equal(OFFER);
  });

  it('trickles with If-Match of the ETag, restarts ICE with If-Match: *, and DELETEs the Location', async () => {
    const r = await exchangeSdp(OFFER, opts('ok', { token: 't' }));
    const etag = r.etag;
    expect(
      await r.trickle(
        trickleFragment(OFFER, [{ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host' }], true),
      ),
    ).to.equal(true);
    const frag = await r.restartIce(OFFER.replace(/abcd/g, 'efgh'));
    expect(frag).to.contain('a=ice-ufrag:srv2');
    expect(r.etag).to.equal('"restarted"');
    const remote = applyRestartAnswer(OFFER, frag!);
    expect(remote).to.contain('a=ice-ufrag:srv2').and.not.contain('a=ice-ufrag:abcd');
    expect(remote.match(/a=candidate:/g)?.length).to.equal(2); // one per media section
    expect(await r.delete()).to.equal(true);
    const calls = await log();
    expect(calls.map((c) => c.method)).to.deep.equal(['POST', 'PATCH', 'PATCH', 'DELETE']);
    expect(calls[1]).to.include({ type: 'application/trickle-ice-sdpfrag', ifMatch: etag, auth: 'Bearer t' });
    expect(calls[1]!.body)
      .to.contain('a=ice-ufrag:abcd')
      .and.contain('a=mid:0')
      .and.contain('a=end-of-candidates');
    expect(calls[2]).to.include({ ifMatch: '*' });
    expect(calls[2]!.body).to.contain('a=ice-ufrag:efgh');
    expect(calls[3]!.path).to.equal(new URL(r.url).pathname);
  });

  it('a server without PATCH (405): trickle and restart say "unsupported" instead of failing', async () => {
    const r = await exchangeSdp(OFFER, opts('no-patch'));
    expect(await r.trickle(trickleFragment(OFFER, [], true))).to.equal(false);
    expect(r.patchable).to.equal(false);
    expect(await r.restartIce(OFFER)).to.equal(null);
    expect((await log()).filter((c) => c.method === 'PATCH')).to.have.length(1);
  });

  it("401/403 → PUSH_AUTH_FAILED (WHIP) / PLAY_AUTH_FAILED (WHEP), naming the endpoint, status and the server's words", async () => {
    const e401 = await failure(exchangeSdp(OFFER, opts('status-401')));
    expect(e401).to.include({ module: 'push', code: 'PUSH_AUTH_FAILED' });
    expect(e401.message)
      .to.contain(`${base}/status-401/whip/s1`)
      .and.contain('401')
      .and.contain('stub refused with 401');
    const e403 = await failure(
      exchangeSdp(OFFER, opts('status-403', { protocol: 'WHEP', module: 'player' })),
    );
    expect(e403).to.include({ module: 'player', code: 'PLAY_AUTH_FAILED' });
    expect(e403.message).to.contain('WHEP').and.contain('403');
  });

  it('404 → NOT_FOUND, 500 (plain text) → BACKEND_REJECTED, 429 → RATE_LIMITED', async () => {
    expect(await failure(exchangeSdp(OFFER, opts('status-404')))).to.include({ code: 'NOT_FOUND' });
    const e500 = await failure(exchangeSdp(OFFER, opts('text-500')));
    expect(e500).to.include({ code: 'BACKEND_REJECTED' });
    expect(e500.message).to.contain('500').and.contain('stub says no');
    expect(await failure(exchangeSdp(OFFER, opts('status-429')))).to.include({ code: 'RATE_LIMITED' });
  });

  it('no answer within the bound → BACKEND_TIMEOUT; an abort → START_CANCELLED', async () => {
    const t = await failure(exchangeSdp(OFFER, opts('hang', { timeoutMs: 300 })));
    expect(t).to.include({ code: 'BACKEND_TIMEOUT' });
    expect(t.message).to.contain('0.3 s');
    const ctl = new AbortController();
    const p = exchangeSdp(OFFER, opts('hang', { signal: ctl.signal }));
    setTimeout(() => ctl.abort(), 50);
    expect(await failure(p)).to.include({ code: 'START_CANCELLED' });
  });

  it('201 without Location, Location hidden by CORS, or a non-SDP body → BAD_ANSWER saying which', async () => {
    const none = await failure(exchangeSdp(OFFER, opts('no-location')));
    expect(none).to.include({ code: 'BAD_ANSWER' });
    expect(none.message).to.contain('Location').and.contain('Access-Control-Expose-Headers');
    expect(await failure(exchangeSdp(OFFER, opts('hidden-location')))).to.include({ code: 'BAD_ANSWER' });
    const html = await failure(exchangeSdp(OFFER, opts('not-sdp')));
    expect(html).to.include({ code: 'BAD_ANSWER' });
    expect(html.message).to.contain('text/html');
  });

  it('a 200 with an SDP answer is tolerated (some servers answer 200)', async () => {
    const r = await exchangeSdp(OFFER, opts('answer-200'));
    expect(r.answer.startsWith('v=0')).to.equal(true);
  });

  it('nothing listening → BACKEND_UNREACHABLE', async () => {
    const e = await failure(
      exchangeSdp(OFFER, { protocol: 'WHEP', module: 'player', endpoint: 'http://127.0.0.1:9/whep/x' }),
    );
    expect(e).to.include({ module: 'player', code: 'BACKEND_UNREACHABLE' });
  });

  it('Link headers: other relations, bad schemes and malformed links are skipped', () => {
    expect(parseIceServerLinks(null)).to.deep.equal([]);
    expect(
      parseIceServerLinks(
        '<http://x/y>; rel="ice-server", <stun:s.example:3478>; rel=ice-server, garbage, <turns:t.example>; rel="ice-server"; username=u; credential="a,b"',
      ),
    ).to.deep.equal([
      { urls: 'stun:s.example:3478' },
      { urls: 'turns:t.example', username: 'u', credential: 'a,b' },
    ]);
  });
});
