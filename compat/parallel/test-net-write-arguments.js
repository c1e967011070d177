'use strict';
// Port of Node's parallel/test-net-write-arguments.js: write(null) throws
// ERR_STREAM_NULL_VALUES; any chunk that is not a string/Buffer/TypedArray/
// DataView throws ERR_INVALID_ARG_TYPE synchronously without an 'error' event.
// The expected message is the running Node's (v20.20.2) wording, which
// replaced v20.11.1's "Buffer or Uint8Array".
const common = require('../common');
const net = require('../net');
const assert = require('node:assert');

const socket = net.Stream({ highWaterMark: 0 });
socket.on('error', common.mustNotCall());
assert.throws(() => socket.write(null), {
  code: 'ERR_STREAM_NULL_VALUES',
  name: 'TypeError',
  message: 'May not write null values to stream',
});

const invalidChunks = [true, false, undefined, 1, 1.0, +Infinity, -Infinity, [], {}];
for (const chunk of invalidChunks) {
  // A fresh socket per value: an instance emits at most one error.
  const fresh = net.Stream({ highWaterMark: 0 });
  assert.throws(() => fresh.write(chunk), {
    code: 'ERR_INVALID_ARG_TYPE',
    name: 'TypeError',
    message: 'The "chunk" argument must be of type string or an instance of ' +
             `Buffer, TypedArray, or DataView.${common.invalidArgTypeHelper(chunk)}`,
  });
}
