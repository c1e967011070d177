// ESM entry for ported .mjs tests: the same selection as compat/net.js.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const net = require('./net.js');

export default net;
