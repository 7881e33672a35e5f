import { expect } from '@open-wc/testing';
import type { Recording } from '../../src/contract/events.js';
import { groupTakes, mergeRecordings } from '../../src/recordings/takes.js';

let n = 0;
const rec = (fields: Partial<Recording> & { sequence?: string } = {}): Recording => {
  n += 1;
  return {
    id: String(n),
    streamId: 's',
    recordId: null,
    fileFormat: 'mp4',
    startTime: 1_700_000_000,
    endTime: 1_700_000_060,
    duration: 60,
    fileSize: 100,
    url: `https://h/${n}`,
    ...fields,
  };
};

/** Every order of a small array. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

describe('grouping recording files into takes', () => {
  it('puts the formats of one session (same stream, record id, start within 30 s) in one take', () => {
    const files = [
      rec({ fileFormat: 'hls', startTime: 1_700_000_001 }),
      rec({ fileFormat: 'mp4' }),
      rec({ fileFormat: 'flv', startTime: 1_700_000_002 }),
      rec({ fileFormat: 'mp4', startTime: 1_700_000_600 }), // the next push
      rec({ fileFormat: 'mp4', streamId: 'other' }),
      rec({ fileFormat: 'hls', recordId: 'meeting_42' }),
    ];
    const takes = groupTakes(files);
    expect(takes.map((t) => [t.streamId, t.recordId, t.files.map((f) => f.fileFormat)])).to.deep.equal([
      ['s', null, ['mp4']],
      ['other', null, ['mp4']],
      ['s', null, ['mp4', 'hls', 'flv']],
      ['s', 'meeting_42', ['hls']],
    ]);
    expect(takes[2]!.startTime).to.equal(1_700_000_000);
  });

  it('never puts two files of the same format in one take', () => {
    const takes = groupTakes([
      rec({ fileFormat: 'mp4' }),
      rec({ fileFormat: 'mp4', startTime: 1_700_000_005 }),
    ]);
    expect(takes).to.have.length(2);
    expect(takes[0]!.startTime).to.equal(1_700_000_005);
  });

  it('prefers a take id the backend gives (sequence) over start times', () => {
    const takes = groupTakes([
      rec({ fileFormat: 'mp4', sequence: 'a' }),
      rec({ fileFormat: 'hls', startTime: 1_700_000_900, sequence: 'a' }),
      rec({ fileFormat: 'flv', sequence: 'b' }),
    ]);
    expect(takes.map((t) => t.files.map((f) => f.fileFormat).join())).to.deep.equal(['flv', 'mp4,hls']);
  });

  it('gives the same takes in the same order whatever order the files arrive in', () => {
    const files = [
      rec({ fileFormat: 'hls' }),
      rec({ fileFormat: 'mp4' }),
      rec({ fileFormat: 'mp4', streamId: 'b' }),
      rec({ fileFormat: 'mp4', streamId: 'a' }),
      rec({ fileFormat: 'mp4', startTime: NaN }),
    ];
    const expected = JSON.stringify(groupTakes(files));
    for (const order of permutations(files)) {
      expect(JSON.stringify(groupTakes(order))).to.equal(expected);
      // and the same when they arrive one by one (live updates)
      const merged = order.reduce<Recording[]>((list, r) => mergeRecordings(list, [r]), []);
      expect(JSON.stringify(groupTakes(merged))).to.equal(expected);
    }
    const takes = groupTakes(files);
    expect(takes.map((t) => t.streamId)).to.deep.equal(['a', 'b', 's', 's']);
    expect(takes[3]!.startTime, 'unknown start last').to.equal(null);
  });

  it('takes unknown values as unknown: no start, no length', () => {
    const [take] = groupTakes([rec({ startTime: 1e20, endTime: 1e20, duration: NaN })]);
    expect(take!.startTime).to.equal(null);
    expect(take!.duration).to.equal(null);
  });

  it('merges newest first and never lists a file twice', () => {
    const a = rec({ startTime: 30 });
    const b = rec({ startTime: 10 });
    const c = rec({ startTime: 20 });
    const d = rec({ startTime: 40 });
    const merged = mergeRecordings(mergeRecordings([], [a, b]), [c, a, d]);
    expect(merged.map((r) => r.id)).to.deep.equal([d.id, a.id, c.id, b.id]);
  });
});
