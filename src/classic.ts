/** Entry of `dist/relay-widgets.js`, the classic script (`<script src>`) that registers every element. */
import './classic-loaders.js';
import './register.js';
