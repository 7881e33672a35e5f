/** Registers `<relay-player>` alone (the entry of the player-only script, and part of `register.ts`). */
import { defineOnce } from './register-once.js';
import { RelayPlayer } from './elements/relay-player/relay-player.js';

defineOnce('relay-player', RelayPlayer);
