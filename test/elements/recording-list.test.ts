import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../src/define.js';
import { setLazyModuleLoader } from '../../src/lazy/registry.js';
import type { RecordingList } from '../../src/elements/recording-list/recording-list.js';
import type { Recording } from '../../src/contract/events.js';
import type { PlayUrl, RelayErrorInfo } from '../../src/contract/types.js';
import { pressCentre } from '../support/input.js';
import {
  backend,
  backendPost,
  mediaUrl,
  notify,
  notifyTake,
  receiverInfo,
  row,
  uid,
  type ReceiverInfo,
} from '../recordings/receiver-client.js';

let info: ReceiverInfo;

function shadow(el: RecordingList): ShadowRoot {
  return el.shadowRoot!;
}
function takes(el: RecordingList): HTMLLIElement[] {
  return [...shadow(el).querySelectorAll<HTMLLIElement>('li[part="take"]')];
}
function chips(el: RecordingList | HTMLElement): HTMLButtonElement[] {
  const root = 'shadowRoot' in el && el.shadowRoot ? el.shadowRoot : el;
  return [...root.querySelectorAll<HTMLButtonElement>('[part~="chip"]')];
}
function text(node: Element | null | undefined): string {
  return (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
/** What a chip shows (its accessible name, the whole sentence, is `text(chip)`). */
function shown(chip: Element): string {
  return [...chip.querySelectorAll('.format, .size')].map(text).join(' ');
}
/** What a person reads on one take: title, labelled details, chip texts. */
function readTake(li: HTMLLIElement) {
  const details = Object.fromEntries(
    [...li.querySelectorAll('[part="details"] > div')].map((d) => [
      text(d.querySelector('dt')),
      text(d.querySelector('dd')),
    ]),
  );
  return { title: text(li.querySelector('[part="title"]')), details, chips: chips(li).map(shown) };
}
function statusText(el: RecordingList): string {
  return text(shadow(el).querySelector('[part="status"]'));
}
function moreButton(el: RecordingList): HTMLButtonElement | null {
  return shadow(el).querySelector('[part="more"]');
}
/** A list (English) on `endpoint`, once it has fired its first `recording-error`, with the errors it fired. */
async function failingList(endpoint: string): Promise<{ el: RecordingList; errors: RelayErrorInfo[] }> {
  const errors: RelayErrorInfo[] = [];
  const el = await fixture<RecordingList>(
    html`<recording-list
      endpoint=${endpoint}
      lang="en"
      @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
    ></recording-list>`,
  );
  await waitUntil(() => errors.length > 0, 'error event', { timeout: 10_000 });
  return { el, errors };
}
async function mounted(tpl: ReturnType<typeof html>): Promise<RecordingList> {
  const el = await fixture<RecordingList>(tpl);
  await waitUntil(
    () =>
      shadow(el).querySelector('[part="base"]')?.getAttribute('aria-busy') === 'false' &&
      statusText(el) !== '',
    'list loaded',
    { timeout: 10_000 },
  );
  return el;
}
/** Takes as [stream, formats] — what the order assertions compare. */
const takeOrder = (el: RecordingList) =>
  el.takes.map((t) => `${t.streamId}:${t.files.map((f) => f.fileFormat).join('+')}:${t.startTime}`);

before(async () => {
  info = await receiverInfo();
});

describe('<recording-list> against the real receiver', () => {
  it('shows one entry per take with a date title, labelled details and its formats as chips', async () => {
    const stream = uid('take');
    await notifyTake(stream, 1_700_000_000);
    await notify(uid('f'), {
      stream_id: stream,
      start_time: 1_700_000_600,
      file_size: 2_500_000,
      duration: 12,
    });
    const el = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="en"></recording-list>`,
    );
    expect(el.recordings).to.have.length(4);
    const [newer, older] = takes(el).map(readTake);
    expect(takes(el)).to.have.length(2);
    expect(newer!.title).to.equal(
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(1_700_000_600_000),
    );
    expect(newer!.details).to.deep.equal({ Duration: '12 sec', Stream: stream });
    expect(newer!.chips).to.deep.equal(['MP4 2.5 MB']);
    expect(older!.details).to.deep.equal({ Duration: '1 min 3 sec', Stream: stream });
    expect(older!.chips).to.deep.equal(['MP4 1.3 MB', 'HLS 1.3 MB', 'FLV 1.3 MB']);
    expect(text(chips(takes(el)[0]!)[0])).to.equal('Play MP4, 12 sec, 2.5 MB');
    expect(text(chips(takes(el)[1]!)[1])).to.equal('Play HLS, 1 min 3 sec, 1.3 MB');
    expect(shadow(el).querySelector('time')!.getAttribute('datetime')).to.equal(
      new Date(1_700_000_600 * 1000).toISOString(),
    );
    expect(chips(el).every((c) => c.tagName === 'BUTTON' && c.type === 'button')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('says clearly when there are no recordings, and is accessible', async () => {
    const el = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${uid('none')} lang="en"></recording-list>`,
    );
    expect(statusText(el)).to.match(/No recordings yet/);
    expect(shadow(el).querySelector('ul')).to.equal(null);
    expect(shadow(el).querySelector('[part="status"]')!.getAttribute('aria-live')).to.equal('polite');
    await expect(el).to.be.accessible();
  });

  it('adds live recordings to their take, announces them, and keeps the order a reload shows', async () => {
    const stream = uid('live');
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4', start_time: 1_700_000_000 });
    const el = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="en"></recording-list>`,
    );
    await waitUntil(() => statusText(el) === 'Live updates on', 'live', { timeout: 5000 });
    // Another format of the same take, a newer take, and a take with the same start time on another file id.
    await notify(uid('f'), { stream_id: stream, file_format: 'hls', start_time: 1_700_000_002 });
    await waitUntil(() => chips(el).length === 2, 'HLS joins the take', { timeout: 5000 });
    expect(takes(el)).to.have.length(1);
    expect(statusText(el)).to.match(new RegExp(`^New recording: ${stream}, .*2023.*, HLS$`));
    await notify(uid('f'), { stream_id: stream, file_format: 'flv', start_time: 1_700_009_999 });
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4', start_time: 1_700_005_000 });
    await notify(uid('f'), { stream_id: stream, file_format: 'mp3', start_time: 1_700_005_000 });
    await waitUntil(() => el.recordings.length === 5, 'all arrived', { timeout: 5000 });
    expect(takeOrder(el)).to.deep.equal([
      `${stream}:flv:1700009999`,
      `${stream}:mp4+mp3:1700005000`,
      `${stream}:mp4+hls:1700000000`,
    ]);
    const live = takeOrder(el);
    const liveKeys = takes(el).map((t) => t.dataset.take);
    el.reload();
    await waitUntil(() => el.recordings.length === 5, 'reloaded', { timeout: 5000 });
    expect(takeOrder(el), 'same order after reload').to.deep.equal(live);
    expect(
      takes(el).map((t) => t.dataset.take),
      'same take keys after reload',
    ).to.deep.equal(liveKeys);
    const fresh = await mounted(
      html`<recording-list
        endpoint=${info.url}
        stream-id=${stream}
        page-size="2"
        lang="en"
      ></recording-list>`,
    );
    while (moreButton(fresh)) {
      await pressCentre(moreButton(fresh)!);
      await waitUntil(() => !moreButton(fresh)?.disabled, 'page loaded');
    }
    expect(takeOrder(fresh), 'same order when paged in twos').to.deep.equal(live);
  });

  it('pages through older recordings with the "more" button, by mouse and keyboard', async () => {
    const stream = uid('page');
    for (let i = 0; i < 5; i++)
      await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_000 + i * 600 });
    const el = await mounted(
      html`<recording-list
        endpoint=${info.url}
        stream-id=${stream}
        page-size="2"
        lang="en"
      ></recording-list>`,
    );
    expect(takes(el)).to.have.length(2);
    await pressCentre(moreButton(el)!);
    await waitUntil(() => takes(el).length === 4, 'second page');
    moreButton(el)!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => takes(el).length === 5, 'third page by keyboard');
    await waitUntil(() => moreButton(el) === null, 'no more pages');
    const starts = el.takes.map((t) => t.startTime!);
    expect(starts).to.deep.equal([...starts].sort((a, b) => b - a));
  });

  it('shows only the record id asked for, also among live updates', async () => {
    const stream = uid('rid');
    const rid = String(Math.floor(Math.random() * 1e9));
    const other = String(Number(rid) + 1);
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid });
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: other, start_time: 1_700_000_600 });
    await notify(uid('f'), {
      stream_id: stream,
      stream_param: `bizid=1&recordId=${rid}`,
      start_time: 1_700_001_200,
    });
    const el = await mounted(
      html`<recording-list endpoint=${info.url} record-id=${rid} lang="en"></recording-list>`,
    );
    expect(takes(el)).to.have.length(2);
    expect(readTake(takes(el)[0]!).details).to.include({ 'Record id': rid });
    await waitUntil(() => statusText(el) === 'Live updates on', 'live', { timeout: 5000 });
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: other, start_time: 1_800_000_000 });
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid, start_time: 1_800_000_001 });
    await waitUntil(() => takes(el).length === 3, 'matching live recording shown');
    await aTimeout(200);
    expect(el.recordings.map((r) => r.recordId)).to.deep.equal([rid, rid, rid]);
  });

  it('choosing a format chip fires recording-select and plays that file in the named player', async () => {
    const stream = uid('sel');
    await notify(uid('f'), { stream_id: stream, file_format: 'flv', video_url: mediaUrl('av.flv') });
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4', start_time: 1_700_000_001 });
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <recording-list endpoint=${info.url} stream-id=${stream} player="viewer" lang="en"></recording-list>
        <relay-player id="viewer" autoplay muted></relay-player>
      </div>`,
    );
    const el = host.querySelector('recording-list')!;
    await waitUntil(() => chips(el).length === 2, 'listed', { timeout: 10_000 });
    const player = host.querySelector<HTMLElement & { sources?: PlayUrl[] | null }>('#viewer')!;
    const selected = oneEvent(el, 'recording-select');
    await pressCentre(chips(el).find((c) => shown(c).startsWith('MP4'))!);
    const ev = (await selected) as CustomEvent<{ recording: Recording }>;
    expect(ev.detail.recording).to.include({ streamId: stream, fileFormat: 'mp4' });
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(player.sources).to.deep.equal([{ encode: 'mp4', url: mediaUrl('av.mp4') }]);
    const mp4 = chips(el).find((c) => shown(c).startsWith('MP4'))!;
    expect(mp4.getAttribute('aria-current')).to.equal('true');
    expect(mp4.part.contains('selected')).to.equal(true);
    expect(statusText(el)).to.match(new RegExp(`^Selected: MP4, ${stream}, `));
    const video = () => player.shadowRoot?.querySelector('video') ?? null;
    await waitUntil(() => (video()?.currentTime ?? 0) > 0.3, 'recording plays', { timeout: 15_000 });
    await pressCentre(chips(el).find((c) => shown(c).startsWith('FLV'))!);
    expect(player.sources).to.deep.equal([{ encode: 'flv', url: mediaUrl('av.flv') }]);
  });

  it('is navigable by keyboard: arrows between takes and formats, Space plays in a plain <video>', async () => {
    const stream = uid('keys');
    await notifyTake(stream, 1_700_000_000);
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_600 });
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <recording-list endpoint=${info.url} stream-id=${stream} player="plain" lang="en"></recording-list>
        <video id="plain" muted autoplay></video>
      </div>`,
    );
    const el = host.querySelector('recording-list')!;
    await waitUntil(() => chips(el).length === 4, 'listed', { timeout: 10_000 });
    const focused = () => shown(el.shadowRoot!.activeElement!);
    chips(el)[0]!.focus();
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal('MP4 1.3 MB');
    await sendKeys({ press: 'ArrowRight' });
    await sendKeys({ press: 'ArrowRight' });
    expect(focused()).to.equal('FLV 1.3 MB');
    await sendKeys({ press: 'ArrowRight' });
    expect(focused(), 'stays on the last format').to.equal('FLV 1.3 MB');
    await sendKeys({ press: 'ArrowUp' });
    expect(el.shadowRoot!.activeElement).to.equal(chips(el)[0]);
    await sendKeys({ press: 'End' });
    expect(el.shadowRoot!.activeElement).to.equal(chips(el)[1]);
    await sendKeys({ press: 'Space' });
    const video = host.querySelector('video')!;
    expect(video.src).to.equal(mediaUrl('av.mp4'));
    await waitUntil(() => video.currentTime > 0.3, 'plays', { timeout: 15_000 });
  });

  it('a host can veto playing by cancelling recording-select', async () => {
    const stream = uid('veto');
    await notify(uid('f'), { stream_id: stream });
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <recording-list endpoint=${info.url} stream-id=${stream} player="p2"></recording-list>
        <div id="p2"></div>
      </div>`,
    );
    const el = host.querySelector('recording-list')!;
    await waitUntil(() => chips(el).length === 1, 'listed', { timeout: 10_000 });
    el.addEventListener('recording-select', (e) => e.preventDefault());
    await pressCentre(chips(el)[0]!);
    expect((host.querySelector('#p2') as HTMLElement & { sources?: unknown }).sources).to.equal(undefined);
  });

  it('an unreachable receiver shows an error with a retry button and fires recording-error', async () => {
    const { el, errors } = await failingList(info.deadUrl);
    expect(errors[0]).to.include({ module: 'recordings', code: 'LIST_FAILED' });
    expect(errors[0]!.message).to.contain(info.deadUrl);
    expect(statusText(el)).to.match(/^Could not load the recordings\./);
    const retry = shadow(el).querySelector<HTMLButtonElement>('[part="retry"]')!;
    expect(retry.textContent!.trim()).to.equal('Try again');
    await expect(el).to.be.accessible();
    el.endpoint = info.url;
    await waitUntil(() => shadow(el).querySelector('[part="retry"]') === null, 'recovered', {
      timeout: 10_000,
    });
  });

  it('says so when the list code cannot be fetched (lazy file missing), and Try again recovers', async () => {
    await notifyTake(uid('cam'), 1_700_300_000);
    const missing = 'https://cdn.example/relay-widgets-recordings.js could not be loaded (HTTP 404)';
    setLazyModuleLoader('recordings', () => Promise.reject(new Error(missing)));
    const { el, errors } = await failingList(info.url);
    expect(errors).to.deep.equal([{ module: 'recordings', code: 'LIST_FAILED', message: missing }]);
    await el.updateComplete;
    expect(statusText(el)).to.equal(`Could not load the recordings. ${missing}`);
    setLazyModuleLoader('recordings', () =>
      import('../../src/recordings/recordings-module.js').then((m) => m.default),
    );
    await pressCentre(shadow(el).querySelector<HTMLButtonElement>('[part="retry"]')!);
    await waitUntil(() => takes(el).length > 0, 'takes shown after retry', { timeout: 10_000 });
    expect(shadow(el).querySelector('[part="retry"]')).to.equal(null);
  });

  it('a record-id that is not a valid id is an error, not a silent empty list', async () => {
    const el = await mounted(
      html`<recording-list endpoint=${info.url} record-id="a b/c" lang="en"></recording-list>`,
    );
    expect(statusText(el)).to.contain('record-id must be 1–64 letters, digits, "_" or "-"');
  });

  it('reconnects live updates after the receiver restarts and misses nothing stored meanwhile', async () => {
    const stream = uid('recon');
    const errors: RelayErrorInfo[] = [];
    const el = await mounted(
      html`<recording-list
        endpoint=${info.url}
        stream-id=${stream}
        lang="en"
        @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
      ></recording-list>`,
    );
    await waitUntil(() => statusText(el).startsWith('No recordings'));
    await aTimeout(300);
    await fetch('/receiver-support/restart?downMs=300', { method: 'POST' });
    await notify(uid('f'), { stream_id: stream });
    await waitUntil(() => takes(el).length === 1, 'recording stored during the outage arrives', {
      timeout: 15_000,
    });
    expect(errors.map((e) => e.code)).to.include('LIVE_UPDATES_LOST');
    await notify(uid('f'), { stream_id: stream, start_time: 1_800_000_000 });
    await waitUntil(() => takes(el).length === 2, 'live again', { timeout: 5000 });
  });

  it('speaks Simplified Chinese with lang="zh-CN", accessibly', async () => {
    const stream = uid('zh');
    const empty = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="zh-CN"></recording-list>`,
    );
    expect(statusText(empty)).to.match(/^暂无录制文件/);
    await notifyTake(stream, 1_700_000_000);
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_600, duration: 12 });
    const el = await mounted(
      html`<recording-list
        endpoint=${info.url}
        stream-id=${stream}
        page-size="2"
        lang="zh-CN"
      ></recording-list>`,
    );
    expect(moreButton(el)!.textContent!.trim()).to.equal('显示更早的录制文件');
    expect(shadow(el).querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('录制文件');
    const first = readTake(takes(el)[0]!);
    expect(first.title).to.equal(
      new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'short' }).format(1_700_000_600_000),
    );
    expect(first.title).to.match(/^2023年11月1[45]日/);
    expect(first.details).to.deep.equal({ 时长: '12秒', 流: stream });
    expect(text(chips(el)[0])).to.match(/^播放 MP4，12秒，1\.3\s?MB$/);
    await expect(el).to.be.accessible();
  });

  it('leaves no live connection or reconnect timer behind when removed from the page', async () => {
    const opened: EventSource[] = [];
    const Original = window.EventSource;
    // The real EventSource, remembered so the test can look at the connections the element opened.
    window.EventSource = class extends Original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    };
    try {
      const el = await mounted(
        html`<recording-list endpoint=${info.url} stream-id=${uid('gone')}></recording-list>`,
      );
      await waitUntil(() => opened.some((s) => s.readyState === EventSource.OPEN), 'live connection open');
      el.remove();
      expect(opened.every((s) => s.readyState === EventSource.CLOSED)).to.equal(true);
      const count = opened.length;
      await aTimeout(1500);
      expect(opened.length, 'no reconnect after removal').to.equal(count);
    } finally {
      window.EventSource = Original;
    }
  });
});

describe('<recording-list> against what other backends send', () => {
  it('shows bad rows (out-of-range times, huge sizes, no duration or format) as "unknown" and keeps the list', async () => {
    const good = row({ streamId: 'good', startTime: 1_700_000_600 });
    const endpoint = await backend([
      row({ streamId: 'far', startTime: 1e20, endTime: 1e20, duration: null }),
      good,
      row({ streamId: 'huge', fileSize: 1e30, duration: 'NaN', fileFormat: '' }),
      { id: 'no-url', streamId: 'x', url: 'javascript:alert(1)' },
    ]);
    const errors: RelayErrorInfo[] = [];
    const el = await mounted(
      html`<recording-list
        endpoint=${endpoint}
        lang="en"
        @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
      ></recording-list>`,
    );
    await waitUntil(() => statusText(el) === 'Live updates on', 'live', { timeout: 5000 });
    const shown = takes(el).map(readTake);
    expect(shown.map((t) => t.details.Stream)).to.deep.equal(['good', 'huge', 'far']);
    expect(shown[1]).to.deep.include({ chips: ['unknown unknown'] });
    expect(shown[1]!.details.Duration).to.equal('12 sec'); // from end - start
    expect(text(chips(takes(el)[1]!)[0])).to.equal('Play unknown, 12 sec, unknown');
    expect(shown[2]).to.deep.include({ title: 'Start time unknown', chips: ['MP4 3.1 MB'] });
    expect(shown[2]!.details.Duration).to.equal('unknown');
    expect(errors).to.deep.equal([]);
    // A bad row arriving live is shown the same way, and the list goes on.
    await backendPost(endpoint, 'emit', {
      event: 'recording',
      data: row({ streamId: 'late', startTime: -5 }),
    });
    await waitUntil(() => takes(el).length === 4, 'live bad row shown');
    expect(readTake(takes(el)[3]!).title).to.equal('Start time unknown');
    await backendPost(endpoint, 'emit', {
      event: 'recording',
      data: row({ streamId: 'next', startTime: 1_700_009_000 }),
    });
    await waitUntil(() => takes(el).length === 5, 'and the next good one too');
    expect(readTake(takes(el)[0]!).details.Stream).to.equal('next');
    await expect(el).to.be.accessible();
  });

  it('keeps keyboard focus on the same file when a newer take arrives above it', async () => {
    const first = row({ streamId: 'cam' });
    const endpoint = await backend([first]);
    const el = await mounted(html`<recording-list endpoint=${endpoint} lang="en"></recording-list>`);
    await waitUntil(() => statusText(el) === 'Live updates on', 'live', { timeout: 5000 });
    chips(el)[0]!.focus();
    await backendPost(endpoint, 'emit', {
      event: 'recording',
      data: row({ streamId: 'new', startTime: 1_700_009_000 }),
    });
    await waitUntil(() => takes(el).length === 2, 'newer take on top');
    expect(readTake(takes(el)[0]!).details.Stream).to.equal('new');
    expect((el.shadowRoot!.activeElement as HTMLElement).dataset.id).to.equal(first.id);
  });

  it('accepts string record ids like meeting_42 and sends them as they are', async () => {
    const endpoint = await backend([row({ recordId: 'meeting_42' })]);
    const el = await mounted(
      html`<recording-list endpoint=${endpoint} record-id="meeting_42" lang="en"></recording-list>`,
    );
    expect(readTake(takes(el)[0]!).details).to.include({ 'Record id': 'meeting_42' });
    const log = (await (await fetch(`${endpoint}/log`)).json()) as string[];
    expect(log[0]).to.equal('/api/recordings?recordId=meeting_42&limit=20');
  });

  it('shows a thumbnail when the backend has one, and no broken image when not', async () => {
    const endpoint = await backend([
      row({ streamId: 'with', thumbnailUrl: `${location.origin}/docs/screenshot.png` }),
      row({ streamId: 'without', startTime: 1_699_000_000 }),
    ]);
    const el = await mounted(html`<recording-list endpoint=${endpoint} lang="en"></recording-list>`);
    const [withThumb, without] = takes(el);
    const img = withThumb!.querySelector<HTMLImageElement>('[part="thumbnail"]')!;
    await waitUntil(() => img.complete && img.naturalWidth > 0, 'thumbnail loaded');
    expect(img.alt, 'decorative: the title says what it is').to.equal('');
    expect(without!.querySelector('[part="thumbnail"]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows the latest recording status of each stream (event: status)', async () => {
    const endpoint = await backend([row({})]);
    const el = await mounted(html`<recording-list endpoint=${endpoint} lang="en"></recording-list>`);
    await waitUntil(() => statusText(el) === 'Live updates on', 'live', { timeout: 5000 });
    const status = (streamId: string, s: string, message = '') =>
      backendPost(endpoint, 'emit', {
        event: 'status',
        data: { streamId, recordId: null, status: s, message, time: 1 },
      });
    await status('cam', 'record_start_succeeded', 'Recording started.');
    await status('cam', 'record_error', 'Recording hit an error.');
    await status('cam2', 'something_new', 'Something new happened.');
    await waitUntil(
      () => shadow(el).querySelectorAll('[part="recording-status"]').length === 2,
      'two streams',
    );
    const lines = () => [...shadow(el).querySelectorAll('[part="recording-status"]')].map(text);
    expect(lines()).to.deep.equal(['cam2: Something new happened.', 'cam: recording error']);
    el.lang = 'zh-CN';
    await el.updateComplete;
    expect(lines()).to.deep.equal(['cam2：Something new happened.', 'cam：录制出错']);
  });
});

describe('<recording-list> with a read key (RECEIVER_READ_KEY)', () => {
  const KEY = 'read-key-for-tests';

  it('passes read-secret and read-time on the list and the live-update requests', async () => {
    const endpoint = await backend([row({ recordId: 'meeting_42' })], KEY);
    const { readSecret, readTime } = (await backendPost(endpoint, 'sign', {
      recordId: 'meeting_42',
      expiresIn: 600,
    })) as {
      readSecret: string;
      readTime: string;
    };
    const el = await mounted(
      html`<recording-list
        endpoint=${endpoint}
        record-id="meeting_42"
        read-secret=${readSecret}
        read-time=${readTime}
        lang="en"
      ></recording-list>`,
    );
    expect(takes(el)).to.have.length(1);
    await waitUntil(() => statusText(el) === 'Live updates on', 'live updates accepted', { timeout: 5000 });
    await backendPost(endpoint, 'emit', {
      event: 'recording',
      data: row({ recordId: 'meeting_42', startTime: 1_700_009_000 }),
    });
    await waitUntil(() => takes(el).length === 2, 'live recording arrives');
    const log = (await (await fetch(`${endpoint}/log`)).json()) as string[];
    const auth = `recordId=meeting_42&readSecret=${readSecret}&readTime=${readTime}`;
    expect(log).to.deep.equal([
      `/api/recordings?${auth}&limit=20`,
      `/api/recordings/events?${auth}&lastEventId=0`,
    ]);
  });

  it('says clearly when the receiver refuses the read key (403 READ_AUTH_FAILED)', async () => {
    const endpoint = await backend([row({ recordId: 'meeting_42' })], KEY);
    const errors: RelayErrorInfo[] = [];
    const el = await mounted(
      html`<recording-list
        endpoint=${endpoint}
        record-id="meeting_42"
        read-secret="0123456789abcdef0123456789abcdef"
        read-time="7FFFFFFF"
        lang="en"
        @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
      ></recording-list>`,
    );
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ module: 'recordings', code: 'READ_AUTH_FAILED' });
    expect(errors[0]!.message).to.contain('refused the read key for record id "meeting_42"');
    expect(statusText(el)).to.match(
      /^This page may not read these recordings: its read key is missing, wrong or expired\. /,
    );
    expect(takes(el)).to.have.length(0);
    await expect(el).to.be.accessible();
    el.lang = 'zh-CN';
    await el.updateComplete;
    expect(statusText(el)).to.match(/^此页面无权读取这些录制文件/);
    await expect(el).to.be.accessible();
  });

  it('a read key that expires while listening turns into the same clear error, keeping the list', async () => {
    const endpoint = await backend([row({ recordId: 'r1' })], KEY);
    const { readSecret, readTime } = (await backendPost(endpoint, 'sign', {
      recordId: 'r1',
      expiresIn: 1,
    })) as {
      readSecret: string;
      readTime: string;
    };
    const errors: RelayErrorInfo[] = [];
    const el = await mounted(
      html`<recording-list
        endpoint=${endpoint}
        record-id="r1"
        read-secret=${readSecret}
        read-time=${readTime}
        lang="en"
        @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
      ></recording-list>`,
    );
    expect(takes(el)).to.have.length(1);
    await aTimeout(2200); // the key expires
    await backendPost(endpoint, 'drop');
    await waitUntil(() => errors.some((e) => e.code === 'READ_AUTH_FAILED'), 'refusal reported', {
      timeout: 5000,
    });
    expect(statusText(el)).to.match(/^This page may not read these recordings/);
    expect(takes(el), 'what was shown stays').to.have.length(1);
  });

  it('a read-secret without record-id is an error that says what to add', async () => {
    const el = await mounted(
      html`<recording-list endpoint=${info.url} read-secret="abc" read-time="7FFFFFFF"></recording-list>`,
    );
    expect(statusText(el)).to.contain('read-secret is signed for one record id: set record-id too.');
  });
});

describe('<recording-list> on small screens', () => {
  afterEach(() => setViewport({ width: 800, height: 600 }));

  for (const width of [320, 390, 1280]) {
    it(`never makes a ${width} px page scroll sideways`, async () => {
      await setViewport({ width, height: 800 });
      const long = `a_very_long_stream_name_without_any_spaces_${'x'.repeat(60)}`;
      const endpoint = await backend([
        row({
          streamId: long,
          recordId: 'meeting_42',
          thumbnailUrl: `${location.origin}/docs/screenshot.png`,
        }),
        row({ streamId: long, fileFormat: 'hls', startTime: 1_700_000_001 }),
        row({ streamId: 'cam', fileFormat: 'flv', fileSize: 1e30, startTime: 1e20 }),
      ]);
      const el = await mounted(html`<recording-list endpoint=${endpoint} lang="en"></recording-list>`);
      expect(takes(el)).to.have.length(3);
      await el.updateComplete;
      expect(document.documentElement.scrollWidth, 'page width').to.be.at.most(window.innerWidth);
      for (const li of takes(el)) expect(li.scrollWidth, 'card width').to.be.at.most(li.clientWidth + 1);
    });
  }
});
