/** Registers `<relay-player>` alone (the entry of the player-only script, and part of `register.ts`). */
import { define } from './define.js';
import { RelayPlayer } from './elements/relay-player.js';

define('relay-player', RelayPlayer);
