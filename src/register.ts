/**
 * Registers every element (the one place that calls `customElements.define`). Safe to load twice.
 */
export function define(name: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, ctor);
}

import { LivePushControls } from './elements/live-push-controls.js';
define('live-push-controls', LivePushControls);

import { RelayPlayer } from './elements/relay-player.js';
define('relay-player', RelayPlayer);

import { RecordingList } from './elements/recording-list.js';
define('recording-list', RecordingList);
