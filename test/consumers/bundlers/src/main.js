// A plain app as a new user writes it: the registering entry, the React wrappers and the side-effect-free exports.
// Built without trtc-sdk-v5 and trtc-js-sdk (optional peers): nothing may import it statically.
import 'relay-widgets/define';
import { RelayPlayer } from 'relay-widgets/react';
import { ErrorCodes, setLazyModuleLoader } from 'relay-widgets';

console.log(RelayPlayer.displayName, ErrorCodes.ORIGIN_NOT_ALLOWED, typeof setLazyModuleLoader);
document.body.insertAdjacentHTML('beforeend', '<relay-player src="/live/demo.flv" muted autoplay></relay-player>');
