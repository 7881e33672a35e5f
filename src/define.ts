/**
 * `import 'relay-widgets/define'`: registers `<relay-player>`, `<live-push-controls>` and `<recording-list>`
 * (safe to import twice). `import { RelayPlayer } from 'relay-widgets'` alone registers nothing.
 */
import './register.js';
