'use strict';
// Port of Node's test/parallel/test-net-server-listen-options.js.
// The accepted forms of listen() and the validation of its arguments.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

function closeThis() { this.close(); }

// listen(), listen(cb), listen(port), listen({ port }) all reach 'listening'.
{
  net.createServer().listen().on('listening', common.mustCall(closeThis));
  net.createServer().listen(common.mustCall(closeThis));
  net.createServer().listen(0).on('listening', common.mustCall(closeThis));
  net.createServer().listen({ port: 0 })
    .on('listening', common.mustCall(closeThis));
}

// The port argument, positional or in an options object.
const listenForms = [
  (port, cb) => net.createServer().listen({ port }, cb),
  (port, cb) => net.createServer().listen(port, cb),
];

{
  const badPort = () => common.expectsError({
    code: 'ERR_SOCKET_BAD_PORT',
    name: 'RangeError',
  });

  for (const listen of listenForms) {
    // Any free port.
    listen('0', common.mustCall(closeThis));
    listen(0, common.mustCall(closeThis));
    listen(undefined, common.mustCall(closeThis));
    listen(null, common.mustCall(closeThis));
    // Out of range or not an integer.
    for (const port of [-1, NaN, 123.456, 65536, Infinity, -Infinity]) {
      assert.throws(() => listen(port, common.mustNotCall()), badPort());
    }
  }
  // In listen(options, cb) the port is validated before the path is looked at.
  assert.throws(() => {
    net.createServer().listen({ port: -1, path: common.PIPE },
                              common.mustNotCall());
  }, badPort());
}

{
  function expectListenToThrow(options) {
    const attempt = () => {
      net.createServer().listen(options, common.mustNotCall());
    };
    const lacksPortAndPath = typeof options === 'object' &&
      !('port' in options) && !('path' in options);
    assert.throws(attempt, {
      code: 'ERR_INVALID_ARG_VALUE',
      name: 'TypeError',
      message: lacksPortAndPath ?
        /^The argument 'options' must have the property "port" or "path"\. Received .+$/ :
        /^The argument 'options' is invalid\. Received .+$/,
    });
  }

  expectListenToThrow(false);
  expectListenToThrow({ port: false });
  expectListenToThrow(true);
  expectListenToThrow({ port: true });
  // listen(handle) with an invalid fd.
  expectListenToThrow({ fd: -1 });
  // Invalid path in the options.
  expectListenToThrow({ path: -1 });

  // Options with neither port nor path.
  expectListenToThrow({});
  expectListenToThrow({ host: 'localhost' });
  expectListenToThrow({ host: 'localhost:3000' });
  expectListenToThrow({ host: { port: 3000 } });
  expectListenToThrow({ exclusive: true });
}
