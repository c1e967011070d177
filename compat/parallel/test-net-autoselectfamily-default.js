'use strict';
// Port of Node's parallel/test-net-autoselectfamily-default.js: connections
// that do not set autoSelectFamily follow net.setDefaultAutoSelectFamily():
// true falls back from a refused ::1 to 127.0.0.1, false reports ::1's error.
const common = require('../common');
const { parseDNSPacket, writeDNSPacket } = require('../common/dns');
const assert = require('assert');
const dgram = require('dgram');
const { Resolver } = require('dns');
const { createConnection, createServer, setDefaultAutoSelectFamily } =
  require('../net');

const attemptTimeout = common.defaultAutoSelectFamilyAttemptTimeout;

// A lookup function backed by `resolver`: AAAA records before A records.
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

// A loopback UDP DNS server answering its one example.org query with one
// AAAA and one A record.
function withDnsServer(ipv6Address, ipv4Address, cb) {
  const dnsServer = dgram.createSocket('udp4');
  dnsServer.on('message', common.mustCall((msg, from) => {
    const query = parseDNSPacket(msg);
    const domain = query.questions[0].domain;
    assert.strictEqual(domain, 'example.org');
    const answers = [
      { type: 'AAAA', address: ipv6Address, ttl: 123, domain },
      { type: 'A', address: ipv4Address, ttl: 123, domain },
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

function ipv4ReplyingServer() {
  return createServer((conn) => {
    conn.on('data', common.mustCall(() => {
      conn.write('response-ipv4');
      conn.end();
    }));
  });
}

// Default on: the refused ::1 attempt falls back to IPv4.
withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
  const ipv4Server = ipv4ReplyingServer();
  ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
    setDefaultAutoSelectFamily(true);
    const connection = createConnection({
      host: 'example.org',
      port: ipv4Server.address().port,
      lookup,
      autoSelectFamilyAttemptTimeout: attemptTimeout,
    });

    let reply = '';
    connection.setEncoding('utf-8');
    connection.on('data', (chunk) => { reply += chunk; });
    connection.on('end', common.mustCall(() => {
      assert.strictEqual(reply, 'response-ipv4');
      ipv4Server.close();
      dnsServer.close();
    }));
    connection.write('request');
  }));
}));

// Default off: only ::1 is tried.
withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
  const ipv4Server = ipv4ReplyingServer();
  ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
    setDefaultAutoSelectFamily(false);
    const { port } = ipv4Server.address();
    const connection = createConnection({ host: 'example.org', port, lookup });

    connection.on('ready', common.mustNotCall());
    connection.on('error', common.mustCall((error) => {
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
        assert.strictEqual(error.message,
                           `connect EADDRNOTAVAIL ::1:${port} - Local (:::0)`);
      }
      ipv4Server.close();
      dnsServer.close();
    }));
  }));
}));
