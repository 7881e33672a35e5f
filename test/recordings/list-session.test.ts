/**
 * The headless list session, without any element: against the real callback receiver (signed callbacks in, pages
 * and server-sent events out) and, for what the receiver refuses to store or to say, the recordings backend of
 * test/support/recordings-backend.plugin.mjs. The page's real `fetch` and `EventSource` run; the test only watches
 * them to see what is still running.
 */
import { aTimeout, expect, waitUntil } from '@open-wc/testing';
import type { Recording } from '../../src/contract/events.js';
import { ListSession, listFilter, pageLimit, type ListQuery } from '../../src/recordings/list-session.js';
import type { ListSnapshot } from '../../src/recordings/list-snapshot.js';
import type { RelayErrorInfo } from '../../src/contract/types.js';
import {
  backend,
  backendPost,
  notify,
  notifyTake,
  receiverInfo,
  row,
  uid,
  type ReceiverInfo,
} from './receiver-client.js';

/** Everything the session reports, in order. */
class Report {
  snapshots: ListSnapshot[] = [];
  errors: RelayErrorInfo[] = [];
  added: Recording[] = [];
  reconnected = 0;
  readonly session = new ListSession(
    {
      onChange: (s) => this.snapshots.push(s),
      onError: (e) => this.errors.push(e),
      onAdded: (r) => this.added.push(r),
      onReconnected: () => (this.reconnected += 1),
    },
    // reconnects in a tenth of a second, not the page default of one
    { backoff: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0 } },
  );
  get now(): ListSnapshot {
    return this.session.snapshot;
  }
  /** Resolves once the snapshot satisfies `ok`. */
  async until(what: string, ok: (s: ListSnapshot) => boolean, timeout = 10_000): Promise<ListSnapshot> {
    await waitUntil(() => ok(this.now), what, { timeout });
    return this.now;
  }
}

/** The page's own fetch and EventSource, watched: which requests are still running, which connections open. */
class NetWatch {
  readonly fetches: { url: string; signal: AbortSignal | null; settled: boolean }[] = [];
  readonly sources: EventSource[] = [];
  readonly #fetch = window.fetch;
  readonly #EventSource = window.EventSource;

  constructor() {
    const realFetch = this.#fetch;
    const fetches = this.fetches;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const call = { url: String(input), signal: init?.signal ?? null, settled: false };
      fetches.push(call);
      const p = realFetch(input, init);
      void p.then(
        () => (call.settled = true),
        () => (call.settled = true),
      );
      return p;
    };
    const sources = this.sources;
    window.EventSource = class extends this.#EventSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        sources.push(this);
      }
    };
  }
  /** Requests of the list API (not the test's own calls to the support routes). */
  get listFetches() {
    return this.fetches.filter((f) => f.url.includes('/api/recordings'));
  }
  get open(): EventSource[] {
    return this.sources.filter((s) => s.readyState !== EventSource.CLOSED);
  }
  restore(): void {
    window.fetch = this.#fetch;
    window.EventSource = this.#EventSource;
  }
}

// Every test: a fresh session and watch, released and restored after it.
let r: Report;
let net: NetWatch;
beforeEach(() => {
  net = new NetWatch();
  r = new Report();
});
afterEach(() => {
  r.session.release();
  net.restore();
});

const streamsOf = (s: ListSnapshot) => [...new Set(s.recordings.map((r) => r.streamId))];

describe('list session (headless) against the real receiver', () => {
  let info: ReceiverInfo;
  const list = (query: Omit<ListQuery, 'endpoint'>): void =>
    r.session.reload({ endpoint: info.url, ...query });

  before(async () => {
    info = await receiverInfo();
  });

  it('does nothing until asked: constructing one sends no request and opens no connection', async () => {
    await aTimeout(100);
    expect(r.now).to.include({ status: 'idle', live: 'closed', next: null, loadingMore: false });
    expect(net.fetches).to.deep.equal([]);
    expect(net.sources).to.deep.equal([]);
  });

  it('reads the first page, then older pages, newest first, grouped into takes', async () => {
    const stream = uid('pages');
    await notifyTake(stream, 1_700_000_000);
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_600 });
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_001_200 });
    list({ streamId: stream, pageSize: 2 });
    expect(r.now.status, 'loading at once').to.equal('loading');
    const first = await r.until('first page', (s) => s.status === 'ready');
    expect(first.recordings.map((x) => x.startTime)).to.deep.equal([1_700_001_200, 1_700_000_600]);
    expect(first.takes).to.have.length(2);
    expect(first.next).to.be.a('string');

    const more = r.session.loadMore();
    expect(r.now.loadingMore, 'an older page is being read').to.equal(true);
    void r.session.loadMore(); // a second press while it loads reads nothing more
    await more;
    expect(r.now.loadingMore).to.equal(false);
    expect(r.now.recordings).to.have.length(4);
    expect(first.recordings, 'an earlier snapshot never changes').to.have.length(2);
    expect(Object.isFrozen(r.now)).to.equal(true);
    while (r.now.next) await r.session.loadMore();
    const all = r.now;
    expect(all.recordings).to.have.length(5);
    expect(all.takes.map((t) => t.files.map((f) => f.fileFormat).join('+'))).to.deep.equal([
      'mp4',
      'mp4',
      'mp4+hls+flv',
    ]);
    const starts = all.recordings.map((x) => x.startTime);
    expect(starts).to.deep.equal([...starts].sort((a, b) => b - a));
    expect(net.listFetches.filter((f) => !f.url.includes('/events'))).to.have.length(3);
    expect(r.errors).to.deep.equal([]);
  });

  it('an older page that cannot be read is LIST_FAILED, and the list already shown stays', async () => {
    const stream = uid('more');
    await notify(uid('f'), { stream_id: stream });
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_600 });
    list({ streamId: stream, pageSize: 1 });
    await r.until('first page', (s) => s.status === 'ready' && s.next !== null);
    const restarted = fetch('/receiver-support/restart?downMs=1500', { method: 'POST' });
    await waitUntil(
      () =>
        fetch(`${info.url}/api/recordings?limit=1`).then(
          () => false,
          () => true,
        ),
      'receiver down',
    );
    await r.session.loadMore();
    expect(r.now).to.include({ status: 'error', loadingMore: false, live: 'closed' });
    expect(r.now.error).to.include({ module: 'recordings', code: 'LIST_FAILED' });
    expect(r.now.error!.message).to.contain(info.url);
    expect(r.now.recordings.map((x) => x.startTime)).to.deep.equal([1_700_000_600]);
    expect(r.errors.at(-1)).to.deep.equal(r.now.error);
    await restarted;
  });

  it('follows live updates: a file stored later joins its take and is reported as added, once', async () => {
    const stream = uid('live');
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4', start_time: 1_700_000_000 });
    list({ streamId: stream });
    await r.until('live', (s) => s.live === 'live');
    expect(r.now.recordings).to.have.length(1);
    await notify(uid('f'), { stream_id: stream, file_format: 'hls', start_time: 1_700_000_002 });
    await notify(uid('f'), { stream_id: stream, file_format: 'flv', start_time: 1_700_009_999 });
    const now = await r.until('both arrived', (s) => s.recordings.length === 3);
    expect(now.takes.map((t) => t.files.map((f) => f.fileFormat).join('+'))).to.deep.equal([
      'flv',
      'mp4+hls',
    ]);
    expect(r.added.map((x) => x.fileFormat)).to.deep.equal(['hls', 'flv']);
    expect(now.status).to.equal('ready');
  });

  it('a wrong attribute is an error naming it, and nothing is asked of the receiver', () => {
    list({ recordId: 'a b/c' });
    expect(r.now.status).to.equal('error');
    expect(r.errors).to.have.length(1);
    expect(r.errors[0]).to.include({ module: 'recordings', code: 'LIST_FAILED' });
    expect(r.errors[0]!.message).to.contain('record-id must be 1–64 letters, digits, "_" or "-"');
    list({ readSecret: 'abc', readTime: '7FFFFFFF' });
    expect(r.now.error?.message).to.equal('read-secret is signed for one record id: set record-id too.');
    list({ recordId: 'meeting_42', readSecret: 'abc' });
    expect(r.now.error?.message).to.equal('read-secret and read-time go together: set both, or neither.');
    expect(net.fetches).to.deep.equal([]);
    expect(net.sources).to.deep.equal([]);
  });

  it('a changed filter aborts what the old one had running: nothing of the old stream reaches the list', async () => {
    const [a, b] = [uid('old'), uid('new')];
    await notify(uid('f'), { stream_id: a });
    await notify(uid('f'), { stream_id: b });
    list({ streamId: a });
    const firstLoad = net.listFetches[0]!;
    list({ streamId: b });
    expect(firstLoad.signal?.aborted, "the old stream's page request aborted").to.equal(true);
    const from = r.snapshots.length;
    await r.until('new stream live', (s) => s.live === 'live');
    expect(streamsOf(r.now)).to.deep.equal([b]);

    // Changed again while live: the old connection closes, and what is stored for it later never arrives.
    const toA = r.snapshots.length;
    list({ streamId: a });
    await r.until('old stream live again', (s) => s.live === 'live' && streamsOf(s)[0] === a);
    const toB = r.snapshots.length;
    list({ streamId: b });
    await r.until('back on the new stream', (s) => s.live === 'live' && streamsOf(s)[0] === b);
    await notify(uid('f'), { stream_id: a, start_time: 1_800_000_000 });
    await notify(uid('f'), { stream_id: b, start_time: 1_800_000_001 });
    await r.until('the new stream still follows', (s) => s.recordings.length === 2);
    await aTimeout(300);
    expect(net.open, 'one connection left').to.have.length(1);
    expect(net.open[0]!.url).to.contain(`streamId=${b}`);
    const seen = (from: number, to?: number) => r.snapshots.slice(from, to).flatMap(streamsOf);
    expect(seen(from, toA), 'while on the new stream').to.not.include(a);
    expect(seen(toB + 1), 'after changing back').to.not.include(a);
    expect(streamsOf(r.now)).to.deep.equal([b]);
    expect(r.added.map((x) => x.streamId)).to.deep.equal([b]);
  });

  it('release leaves no request or connection running, and reports nothing afterwards', async () => {
    const stream = uid('gone');
    await notify(uid('f'), { stream_id: stream });
    // While the first page is being read…
    list({ streamId: stream });
    r.session.release();
    expect(net.listFetches[0]!.signal?.aborted).to.equal(true);
    expect(r.now).to.include({ status: 'idle', live: 'closed' });
    await aTimeout(500);
    expect(r.now.status).to.equal('idle');
    expect(net.sources, 'no connection opened for a released load').to.deep.equal([]);

    // …and once live.
    list({ streamId: stream });
    await r.until('live', (s) => s.live === 'live');
    expect(net.open).to.have.length(1);
    r.session.release();
    expect(net.open).to.deep.equal([]);
    expect(net.listFetches.every((f) => f.settled || f.signal?.aborted)).to.equal(true);
    const reported = r.snapshots.length;
    await notify(uid('f'), { stream_id: stream, start_time: 1_800_000_000 });
    await aTimeout(1000);
    expect(r.snapshots.length, 'nothing reported after release').to.equal(reported);
    expect(net.sources, 'no reconnect').to.have.length(1);
    expect(r.now.recordings).to.deep.equal([]);
    expect(r.added).to.deep.equal([]);
  });

  it('an unreachable receiver is LIST_FAILED naming it, and the next reload recovers', async () => {
    r.session.reload({ endpoint: info.deadUrl });
    const failed = await r.until('error', (s) => s.status === 'error');
    expect(failed.error).to.include({ module: 'recordings', code: 'LIST_FAILED' });
    expect(failed.error!.message).to.contain(info.deadUrl);
    expect(r.errors).to.deep.equal([failed.error]);
    expect(net.sources).to.deep.equal([]);
    list({ streamId: uid('none') });
    const ok = await r.until('recovered', (s) => s.status === 'ready');
    expect(ok.error).to.equal(null);
  });
});

describe('list session (headless) against other backends', () => {
  it('an interrupted live connection is reported once, resumed, and misses nothing', async () => {
    const endpoint = await backend([row({})]);
    r.session.reload({ endpoint });
    await r.until('live', (s) => s.live === 'live');
    await backendPost(endpoint, 'drop');
    await r.until('live again', (s) => s.live === 'live' && r.reconnected === 1);
    expect(r.snapshots.map((s) => s.live)).to.include('reconnecting');
    expect(r.errors.map((e) => e.code)).to.deep.equal(['LIVE_UPDATES_LOST']);
    expect(r.now.status, 'the list stays').to.equal('ready');
    await backendPost(endpoint, 'emit', { event: 'recording', data: row({ streamId: 'late' }) });
    await r.until('a recording after the reconnect', (s) => s.recordings.length === 2);
    expect(net.open).to.have.length(1);
  });

  it('keeps the latest status of the three streams that sent one last', async () => {
    const endpoint = await backend([row({})]);
    r.session.reload({ endpoint });
    await r.until('live', (s) => s.live === 'live');
    for (const [stream, status] of [
      ['a', 'record_start_succeeded'],
      ['b', 'record_start_succeeded'],
      ['a', 'record_error'],
      ['c', 'x'],
      ['d', 'y'],
    ])
      await backendPost(endpoint, 'emit', {
        event: 'status',
        data: { streamId: stream, recordId: null, status, message: '', time: 1 },
      });
    const now = await r.until('statuses', (s) => s.statuses[0]?.streamId === 'd');
    expect(now.statuses.map((s) => `${s.streamId}:${s.status}`)).to.deep.equal([
      'd:y',
      'c:x',
      'a:record_error',
    ]);
  });

  it('a read key that expires while listening is READ_AUTH_FAILED, keeping the list and ending live updates', async () => {
    const KEY = 'read-key-for-tests';
    const endpoint = await backend([row({ recordId: 'r1' })], KEY);
    const signed = (await backendPost(endpoint, 'sign', { recordId: 'r1', expiresIn: 1 })) as {
      readSecret: string;
      readTime: string;
    };
    r.session.reload({ endpoint, recordId: 'r1', ...signed });
    await r.until('live', (s) => s.live === 'live');
    await aTimeout(2200); // the key expires
    await backendPost(endpoint, 'drop');
    const failed = await r.until('refused', (s) => s.status === 'error');
    expect(failed.error).to.include({ module: 'recordings', code: 'READ_AUTH_FAILED' });
    expect(failed.recordings, 'what was shown stays').to.have.length(1);
    expect(failed.live).to.equal('closed');
    expect(r.errors.map((e) => e.code)).to.deep.equal(['LIVE_UPDATES_LOST', 'READ_AUTH_FAILED']);
    await aTimeout(600);
    expect(net.open, 'no more reconnecting').to.deep.equal([]);
  });
});

describe('list query checks', () => {
  it('turns attributes into a filter, or says which one is wrong', () => {
    expect(listFilter({ endpoint: '', recordId: ' meeting_42 ', streamId: 'cam' })).to.deep.equal({
      recordId: 'meeting_42',
      streamId: 'cam',
    });
    expect(listFilter({ endpoint: '', recordId: 'r1', readSecret: 's', readTime: 'T' })).to.deep.equal({
      recordId: 'r1',
      readSecret: 's',
      readTime: 'T',
    });
    expect(listFilter({ endpoint: '', readTime: '7F' })).to.be.a('string');
  });

  it('clamps the page size to 1–100 and falls back to 20', () => {
    expect([0, 1, 2.7, 100, 101, NaN, undefined].map((n) => pageLimit(n))).to.deep.equal([
      1, 1, 2, 100, 100, 20, 20,
    ]);
  });
});
