/**
 * `<recording-list>`'s data layer as one lazily loaded module: the list session (reading pages from the receiver,
 * live updates, grouping files into takes) and the formatting only a filled list needs. A list fetches it when it
 * connects and shows its loading state meanwhile, so the script every page loads does not carry it.
 */
import { fetchRecordings } from './api.js';
import { formatDurationWords, formatSize, isoTime } from './format.js';
import { ListSession } from './list-session.js';
import { RecordingLiveUpdates } from './live-updates.js';
import { durationOf, plausibleSize } from './recording.js';
import { groupTakes, mergeRecordings } from './takes.js';

export interface RecordingsModule {
  /** The headless list `<recording-list>` renders. */
  ListSession: typeof ListSession;
  fetchRecordings: typeof fetchRecordings;
  RecordingLiveUpdates: typeof RecordingLiveUpdates;
  mergeRecordings: typeof mergeRecordings;
  groupTakes: typeof groupTakes;
  durationOf: typeof durationOf;
  plausibleSize: typeof plausibleSize;
  formatDurationWords: typeof formatDurationWords;
  formatSize: typeof formatSize;
  isoTime: typeof isoTime;
}

const recordings: RecordingsModule = {
  ListSession,
  fetchRecordings,
  RecordingLiveUpdates,
  mergeRecordings,
  groupTakes,
  durationOf,
  plausibleSize,
  formatDurationWords,
  formatSize,
  isoTime,
};
export default recordings;

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../lazy/registry.js' {
  interface LazyModules {
    /** <recording-list>'s data layer (reading, live updates, takes), fetched when a list connects. */
    recordings: typeof recordings;
  }
}
