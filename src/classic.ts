/** Entry of `dist/relay-widgets.js`, the classic script (`<script src>`) that registers every element. */
import './register.js';
