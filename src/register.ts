/**
 * Registers every element: the one place (with `register-player.ts`) that defines them. Safe to load twice.
 */
import { define } from './define.js';
import { LivePushControls } from './elements/live-push-controls.js';
import { RecordingList } from './elements/recording-list.js';
import './register-player.js';

define('live-push-controls', LivePushControls);
define('recording-list', RecordingList);
