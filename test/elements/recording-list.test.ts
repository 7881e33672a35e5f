import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { RecordingList } from '../../src/elements/recording-list.js';
import type { Recording } from '../../src/events.js';
import type { PlayUrl, RelayErrorInfo } from '../../src/types.js';

interface ReceiverInfo {
  url: string;
  key: string;
  deadUrl: string;
}

let info: ReceiverInfo;
const uid = (p: string) => `${p}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

/** Sends a real-shaped, correctly signed recording callback to the running receiver. */
async function notify(fileId: string, fields: Record<string, unknown>): Promise<void> {
  const res = await fetch('/receiver-support/notify', {
    method: 'POST',
    body: JSON.stringify({
      appid: 1251457656,
      event_type: 100,
      file_format: 'mp4',
      file_id: fileId,
      record_file_id: fileId,
      duration: 63,
      start_time: 1_700_000_000,
      end_time: 1_700_000_063,
      file_size: 1_349_000,
      stream_param: 'bizid=11220&record=mp4',
      video_url: `${location.origin}/receiver-support/media/av.mp4`,
      ...fields,
    }),
  });
  const out = (await res.json()) as { status: number };
  expect(out.status, 'receiver acknowledged').to.equal(200);
}

function shadow(el: RecordingList): ShadowRoot {
  return el.shadowRoot!;
}
function items(el: RecordingList): HTMLButtonElement[] {
  return [...shadow(el).querySelectorAll<HTMLButtonElement>('li [part~="select"]')];
}
function statusText(el: RecordingList): string {
  return shadow(el).querySelector('[part="status"]')!.textContent!.trim();
}
function moreButton(el: RecordingList): HTMLButtonElement | null {
  return shadow(el).querySelector('[part="more"]');
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

before(async () => {
  info = (await (await fetch('/receiver-support')).json()) as ReceiverInfo;
});

describe('<recording-list> against the real receiver', () => {
  it('lists the stored recordings newest first with stream, format, start, duration and size', async () => {
    const stream = uid('list');
    await notify(uid('f'), {
      stream_id: stream,
      start_time: 1_700_000_000,
      file_format: 'hls',
      duration: 3723,
    });
    await notify(uid('f'), {
      stream_id: stream,
      start_time: 1_700_000_600,
      file_format: 'mp4',
      file_size: 2_500_000,
    });
    await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_300, file_format: 'flv' });
    const el = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="en"></recording-list>`,
    );
    const rows = items(el);
    expect(
      rows.map((b) => b.querySelectorAll('[part="field"] .value')[1]!.textContent!.trim()),
    ).to.deep.equal(['MP4', 'FLV', 'HLS']);
    const first = [...rows[0]!.querySelectorAll('[part="field"] .value')].map((f) => f.textContent!.trim());
    expect(first[0]).to.equal(stream);
    expect(first[2]).to.match(/2023/);
    expect(first[3]).to.equal('1:03');
    expect(first[4]).to.equal('2.5 MB');
    expect(rows[2]!.querySelectorAll('[part="field"] .value')[3]!.textContent!.trim()).to.equal('1:02:03');
    expect(rows[0]!.textContent!.replace(/\s+/g, ' ').trim()).to.match(
      new RegExp(`^Play Stream ${stream} Format MP4 Started .+ Duration 1:03 Size 2.5 MB$`),
    );
    expect(shadow(el).querySelector('time')!.getAttribute('datetime')).to.equal(
      new Date(1_700_000_600 * 1000).toISOString(),
    );
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

  it('shows a recording the moment the receiver stores it (server-sent events) and announces it', async () => {
    const stream = uid('live');
    const el = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="en"></recording-list>`,
    );
    await waitUntil(
      () => statusText(el) === 'No recordings yet. New ones appear here as soon as they are stored.',
    );
    await aTimeout(300); // let the live connection open
    await notify(uid('f'), { stream_id: stream });
    await waitUntil(() => items(el).length === 1, 'live recording shown', { timeout: 5000 });
    expect(statusText(el)).to.equal(`New recording: ${stream}`);
    // A retry of the same notification does not add a row.
    await notify(el.recordings[0]!.id === '' ? 'x' : uid('g'), {
      stream_id: stream,
      start_time: 1_700_009_999,
    });
    await waitUntil(() => items(el).length === 2, 'second recording shown, newest first');
    expect(el.recordings[0]!.startTime).to.equal(1_700_009_999);
  });

  it('pages through older recordings with the "more" button, by mouse and keyboard', async () => {
    const stream = uid('page');
    for (let i = 0; i < 5; i++)
      await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_000 + i * 60 });
    const el = await mounted(
      html`<recording-list
        endpoint=${info.url}
        stream-id=${stream}
        page-size="2"
        lang="en"
      ></recording-list>`,
    );
    expect(items(el)).to.have.length(2);
    moreButton(el)!.click();
    await waitUntil(() => items(el).length === 4, 'second page');
    moreButton(el)!.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => items(el).length === 5, 'third page by keyboard');
    await waitUntil(() => moreButton(el) === null, 'no more pages');
    const starts = el.recordings.map((r) => r.startTime);
    expect(starts).to.deep.equal([...starts].sort((a, b) => b - a));
    expect(new Set(el.recordings.map((r) => r.id)).size).to.equal(5);
  });

  it('shows only the record id asked for, also among live updates', async () => {
    const stream = uid('rid');
    const rid = Math.floor(Math.random() * 1e9);
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid });
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid + 1 });
    await notify(uid('f'), { stream_id: stream, stream_param: `bizid=1&recordId=${rid}` });
    const el = await mounted(
      html`<recording-list endpoint=${info.url} record-id=${String(rid)} lang="en"></recording-list>`,
    );
    expect(items(el)).to.have.length(2);
    expect(el.recordings.every((r) => r.recordId === rid)).to.equal(true);
    await aTimeout(300);
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid + 1, start_time: 1_800_000_000 });
    await notify(uid('f'), { stream_id: stream, userdefinerecordid: rid, start_time: 1_800_000_001 });
    await waitUntil(() => items(el).length === 3, 'matching live recording shown');
    await aTimeout(200);
    expect(el.recordings.map((r) => r.recordId)).to.deep.equal([rid, rid, rid]);
  });

  it('selecting a recording fires recording-select and plays it in the named player', async () => {
    const stream = uid('sel');
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4' });
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <recording-list endpoint=${info.url} stream-id=${stream} player="viewer" lang="en"></recording-list>
        <relay-player id="viewer" autoplay muted></relay-player>
      </div>`,
    );
    const el = host.querySelector('recording-list')!;
    await waitUntil(() => items(el).length === 1, 'listed', { timeout: 10_000 });
    const player = host.querySelector<HTMLElement & { sources?: PlayUrl[] | null }>('#viewer')!;
    const selected = oneEvent(el, 'recording-select');
    items(el)[0]!.click();
    const ev = (await selected) as CustomEvent<{ recording: Recording }>;
    expect(ev.detail.recording.streamId).to.equal(stream);
    expect(ev.bubbles && ev.composed).to.equal(true);
    expect(player.sources).to.deep.equal([
      { encode: 'mp4', url: `${location.origin}/receiver-support/media/av.mp4` },
    ]);
    expect(items(el)[0]!.getAttribute('aria-current')).to.equal('true');
    if (customElements.get('relay-player')) {
      // The real player plays the recorded file.
      const video = () => player.shadowRoot?.querySelector('video') ?? null;
      await waitUntil(() => (video()?.currentTime ?? 0) > 0.3, 'recording plays', { timeout: 15_000 });
    }
  });

  it('plays the selected recording in a plain <video>, keyboard only', async () => {
    const stream = uid('vid');
    await notify(uid('f'), { stream_id: stream, file_format: 'mp4' });
    const host = await fixture<HTMLDivElement>(
      html`<div>
        <recording-list endpoint=${info.url} stream-id=${stream} player="plain" lang="en"></recording-list>
        <video id="plain" muted autoplay></video>
      </div>`,
    );
    const el = host.querySelector('recording-list')!;
    await waitUntil(() => items(el).length === 1, 'listed', { timeout: 10_000 });
    items(el)[0]!.focus();
    await sendKeys({ press: 'Space' });
    const video = host.querySelector('video')!;
    expect(video.src).to.equal(`${location.origin}/receiver-support/media/av.mp4`);
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
    await waitUntil(() => items(el).length === 1, 'listed', { timeout: 10_000 });
    el.addEventListener('recording-select', (e) => e.preventDefault());
    items(el)[0]!.click();
    expect((host.querySelector('#p2') as HTMLElement & { sources?: unknown }).sources).to.equal(undefined);
  });

  it('an unreachable receiver shows an error with a retry button and fires recording-error', async () => {
    const errors: RelayErrorInfo[] = [];
    const el = await fixture<RecordingList>(
      html`<recording-list
        endpoint=${info.deadUrl}
        lang="en"
        @recording-error=${(e: CustomEvent<RelayErrorInfo>) => errors.push(e.detail)}
      ></recording-list>`,
    );
    await waitUntil(() => errors.length > 0, 'error event', { timeout: 10_000 });
    expect(errors[0]).to.include({ module: 'recordings', code: 'LIST_FAILED' });
    expect(errors[0]!.message).to.contain(info.deadUrl);
    expect(statusText(el)).to.match(/^Could not load the recordings\./);
    const retry = shadow(el).querySelector<HTMLButtonElement>('[part="retry"]')!;
    expect(retry.textContent!.trim()).to.equal('Try again');
    await expect(el).to.be.accessible();
    // Pointing it at the real receiver recovers.
    el.endpoint = info.url;
    await waitUntil(() => shadow(el).querySelector('[part="retry"]') === null, 'recovered', {
      timeout: 10_000,
    });
  });

  it('a record-id that is not a whole number is an error, not a silent empty list', async () => {
    const el = await mounted(
      html`<recording-list endpoint=${info.url} record-id="abc" lang="en"></recording-list>`,
    );
    expect(statusText(el)).to.contain('record-id must be a whole number');
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
    // Stored right after the restart, before the list has reconnected (its first retry waits ≥ 0.5 s).
    await notify(uid('f'), { stream_id: stream });
    await waitUntil(() => items(el).length === 1, 'recording stored during the outage arrives', {
      timeout: 15_000,
    });
    expect(errors.map((e) => e.code)).to.include('LIVE_UPDATES_LOST');
    await notify(uid('f'), { stream_id: stream, start_time: 1_800_000_000 });
    await waitUntil(() => items(el).length === 2, 'live again', { timeout: 5000 });
  });

  it('speaks Simplified Chinese with lang="zh-CN"', async () => {
    const stream = uid('zh');
    const empty = await mounted(
      html`<recording-list endpoint=${info.url} stream-id=${stream} lang="zh-CN"></recording-list>`,
    );
    expect(statusText(empty)).to.match(/^暂无录制文件/);
    for (let i = 0; i < 3; i++) await notify(uid('f'), { stream_id: stream, start_time: 1_700_000_000 + i });
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
    expect(items(el)[0]!.textContent!.replace(/\s+/g, ' ').trim()).to.match(
      /^播放 流 zh_\S+ 格式 MP4 开始时间 .+ 时长 0?1:03 大小 1\.3/,
    );
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
