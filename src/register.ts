/**
 * Registers every element: the one place (with `register-player.ts`) that defines them. Safe to load twice.
 */
import { defineOnce } from './register-once.js';
import { LivePushControls } from './elements/live-push-controls/live-push-controls.js';
import { RecordingList } from './elements/recording-list/recording-list.js';
import './register-player.js';

defineOnce('live-push-controls', LivePushControls);
defineOnce('recording-list', RecordingList);
