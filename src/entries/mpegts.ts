import mpegts from 'mpegts.js';
export default mpegts;
