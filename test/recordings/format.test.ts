import { expect } from '@open-wc/testing';
import {
  encodeForRecording,
  formatDuration,
  formatDurationWords,
  formatSize,
  formatStartTime,
  isoTime,
} from '../../src/recordings/format.js';

describe('recording formatting', () => {
  it('picks the player encode from fileFormat, else from the URL', () => {
    expect(encodeForRecording('hls', 'http://h/a')).to.equal('hls');
    expect(encodeForRecording('HLS', 'http://h/a')).to.equal('hls');
    expect(encodeForRecording('flv', 'http://h/a.mp4')).to.equal('flv');
    expect(encodeForRecording('mp4', 'http://h/a')).to.equal('mp4');
    expect(encodeForRecording('mp3', 'http://h/a')).to.equal('mp3');
    expect(encodeForRecording('aac', 'http://h/a.m3u8?x=1')).to.equal('hls');
    expect(encodeForRecording('unknown', 'http://h/file')).to.equal(null);
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).to.equal('0:00');
    expect(formatDuration(63)).to.equal('1:03');
    expect(formatDuration(3723)).to.equal('1:02:03');
    expect(formatDuration(-5)).to.equal('0:00');
  });

  it('formats sizes in decimal units in the reader language', () => {
    expect(formatSize(999, 'en')).to.equal('999 byte');
    expect(formatSize(1349, 'en')).to.equal('1.3 kB');
    expect(formatSize(2_500_000, 'en')).to.equal('2.5 MB');
    expect(formatSize(3_000_000_000, 'zh-CN')).to.match(/^3\s?GB$/);
  });

  it('formats start times in the reader language', () => {
    expect(formatStartTime(1_700_000_000, 'en')).to.match(/2023/);
    expect(formatStartTime(1_700_000_000, 'zh-CN')).to.match(/2023年/);
  });

  it('gives no start time (instead of throwing) for times out of range', () => {
    expect(formatStartTime(1e20, 'en')).to.equal(null);
    expect(isoTime(1e20)).to.equal(null);
    expect(isoTime(1_700_000_000)).to.equal('2023-11-14T22:13:20.000Z');
  });

  it('says lengths in words in the reader language', () => {
    expect(formatDurationWords(12, 'en')).to.equal('12 sec');
    expect(formatDurationWords(63, 'en')).to.equal('1 min 3 sec');
    expect(formatDurationWords(3723, 'en')).to.equal('1 hr 2 min');
    expect(formatDurationWords(12, 'zh-CN')).to.equal('12秒');
  });
});
