'use strict';
// Port of Node's parallel/test-net-autoselectfamily.js: "happy eyeballs".
// With autoSelectFamily the client tries the resolved addresses alternating
// IPv6/IPv4, records them in autoSelectFamilyAttemptedAddresses, fails with an
// AggregateError when all are refused; with the option off it tries only the
// first (IPv6) address.
const common = require('../common');
const { parseDNSPacket, writeDNSPacket } = require('../common/dns');
const assert = require('assert');
const dgram = require('dgram');
const { Resolver } = require('dns');
const { createConnection, createServer } = require('../net');

// Explicit per-attempt timeout, so slow machines do not give up on an address
// before its connect completes.
const attemptTimeout = common.defaultAutoSelectFamilyAttemptTimeout;

// A lookup function backed by `resolver`: resolves ANY, returns AAAA records
// before A records.
function lookupVia(resolver) {
  return (hostname, options, cb) => {
    resolver.resolve(hostname, 'ANY', (err, records) => {
      assert.notStrictEqual(options.family, 4);
      if (err) return cb(err);
      const hosts = records
        .map((r) => ({ address: r.address, family: r.type === 'AAAA' ? 6 : 4 }))
        .sort((a, b) => b.family - a.family);
      if (options.all === true) return cb(null, hosts);
      cb(null, hosts[0].address, hosts[0].family);
    });
  };
}

// A UDP DNS server on loopback answering the single query for example.org
// with the given AAAA and A records. cb receives the server and a lookup.
function withDnsServer(ipv6, ipv4, cb) {
  ipv6 = [].concat(ipv6);
  ipv4 = [].concat(ipv4);
  const dnsServer = dgram.createSocket('udp4');
  dnsServer.on('message', common.mustCall((msg, from) => {
    const query = parseDNSPacket(msg);
    const domain = query.questions[0].domain;
    assert.strictEqual(domain, 'example.org');
    const answers = [
      ...ipv6.map((address) => ({ type: 'AAAA', address, ttl: 123, domain })),
      ...ipv4.map((address) => ({ type: 'A', address, ttl: 123, domain })),
    ];
    dnsServer.send(writeDNSPacket({ id: query.id, questions: query.questions, answers }),
                   from.port, from.address);
  }));
  dnsServer.bind(0, () => {
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${dnsServer.address().port}`]);
    cb({ dnsServer, lookup: lookupVia(resolver) });
  });
}

// A server that answers the first chunk with `reply` and ends.
function replyingServer(reply, expectData = true) {
  return createServer((conn) => {
    const onData = () => {
      conn.write(reply);
      conn.end();
    };
    conn.on('data', expectData ? common.mustCall(onData) : common.mustNotCall());
  });
}

// Sends "request", collects the reply as text, checks it at 'end'.
function exchange(connection, expectedReply, onEnd) {
  let reply = '';
  connection.setEncoding('utf-8');
  connection.on('data', (chunk) => { reply += chunk; });
  connection.on('end', common.mustCall(() => {
    assert.strictEqual(reply, expectedReply);
    onEnd();
  }));
  connection.write('request');
}

// Nothing listens on ::1: falls back to 127.0.0.1.
withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
  const ipv4Server = replyingServer('response-ipv4');
  ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
    const { port } = ipv4Server.address();
    const connection = createConnection({
      host: 'example.org',
      port,
      lookup,
      autoSelectFamily: true,
      autoSelectFamilyAttemptTimeout: attemptTimeout,
    });
    connection.on('ready', common.mustCall(() => {
      assert.deepStrictEqual(connection.autoSelectFamilyAttemptedAddresses,
                             [`::1:${port}`, `127.0.0.1:${port}`]);
    }));
    exchange(connection, 'response-ipv4', () => {
      ipv4Server.close();
      dnsServer.close();
    });
  }));
}));

// Several addresses per family: attempts interleave IPv6 and IPv4 in order.
withDnsServer(
  ['2606:4700::6810:85e5', '2606:4700::6810:84e5', '::1'],
  ['104.20.22.46', '104.20.23.46', '127.0.0.1'],
  common.mustCall(({ dnsServer, lookup }) => {
    const ipv4Server = replyingServer('response-ipv4');
    ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
      const { port } = ipv4Server.address();
      const connection = createConnection({
        host: 'example.org',
        port,
        lookup,
        autoSelectFamily: true,
        autoSelectFamilyAttemptTimeout: attemptTimeout,
      });
      connection.on('ready', common.mustCall(() => {
        assert.deepStrictEqual(connection.autoSelectFamilyAttemptedAddresses, [
          `2606:4700::6810:85e5:${port}`,
          `104.20.22.46:${port}`,
          `2606:4700::6810:84e5:${port}`,
          `104.20.23.46:${port}`,
          `::1:${port}`,
          `127.0.0.1:${port}`,
        ]);
      }));
      exchange(connection, 'response-ipv4', () => {
        ipv4Server.close();
        dnsServer.close();
      });
    }));
  }),
);

// Both families listen on the same port: the first (IPv6) attempt wins and
// IPv4 is never tried.
if (common.hasIPv6) {
  withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
    const ipv4Server = replyingServer('response-ipv4', false);
    const ipv6Server = replyingServer('response-ipv6');
    ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
      const { port } = ipv4Server.address();
      ipv6Server.listen(port, '::1', common.mustCall(() => {
        const connection = createConnection({
          host: 'example.org',
          port,
          lookup,
          autoSelectFamily: true,
          autoSelectFamilyAttemptTimeout: attemptTimeout,
        });
        connection.on('ready', common.mustCall(() => {
          assert.deepStrictEqual(connection.autoSelectFamilyAttemptedAddresses,
                                 [`::1:${port}`]);
        }));
        exchange(connection, 'response-ipv6', () => {
          ipv4Server.close();
          ipv6Server.close();
          dnsServer.close();
        });
      }));
    }));
  }));
}

// Every address refused: one AggregateError listing each attempt's error.
withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
  const connection = createConnection({
    host: 'example.org',
    port: 10,
    lookup,
    autoSelectFamily: true,
    autoSelectFamilyAttemptTimeout: attemptTimeout,
  });
  connection.on('ready', common.mustNotCall());
  connection.on('error', common.mustCall((error) => {
    assert.deepStrictEqual(connection.autoSelectFamilyAttemptedAddresses,
                           ['::1:10', '127.0.0.1:10']);
    assert.strictEqual(error.constructor.name, 'AggregateError');
    assert.strictEqual(error.errors.length, 2);
    const messages = error.errors.map((e) => e.message);
    assert.ok(messages.includes('connect ECONNREFUSED 127.0.0.1:10'));
    if (common.hasIPv6) {
      assert.ok(messages.includes('connect ECONNREFUSED ::1:10'));
    }
    dnsServer.close();
  }));
}));

// Option off: only the first address (::1) is tried, and its error is
// reported as is.
withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
  const ipv4Server = replyingServer('response-ipv4');
  ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
    const { port } = ipv4Server.address();
    const connection = createConnection({
      host: 'example.org',
      port,
      lookup,
      autoSelectFamily: false,
    });
    connection.on('ready', common.mustNotCall());
    connection.on('error', common.mustCall((error) => {
      assert.strictEqual(connection.autoSelectFamilyAttemptedAddresses, undefined);
      assertFirstAddressRefused(error, port);
      ipv4Server.close();
      dnsServer.close();
    }));
  }));
}));

// The error for ::1 depends on whether the host has IPv6 at all.
function assertFirstAddressRefused(error, port) {
  if (common.hasIPv6) {
    assert.strictEqual(error.code, 'ECONNREFUSED');
    assert.strictEqual(error.message, `connect ECONNREFUSED ::1:${port}`);
  } else if (error.code === 'EAFNOSUPPORT') {
    assert.strictEqual(error.message,
                       `connect EAFNOSUPPORT ::1:${port} - Local (undefined:undefined)`);
  } else if (error.code === 'EUNATCH') {
    assert.strictEqual(error.message, `connect EUNATCH ::1:${port} - Local (:::0)`);
  } else {
    assert.strictEqual(error.code, 'EADDRNOTAVAIL');
    assert.strictEqual(error.message, `connect EADDRNOTAVAIL ::1:${port} - Local (:::0)`);
  }
}
