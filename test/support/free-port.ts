/** Tests share the demo's own helper: a TCP port on 127.0.0.1 that nothing listens on right now. */
export { freePort } from '../../src/embedded/ports.js';
