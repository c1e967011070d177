'use strict';
// Port of Node's parallel/test-net-autoselectfamily-ipv4first.js: when the
// lookup returns the A record first, autoSelectFamily connects over IPv4 and
// never touches the IPv6 server listening on the same port.
const common = require('../common');
const { parseDNSPacket, writeDNSPacket } = require('../common/dns');
const assert = require('assert');
const dgram = require('dgram');
const { Resolver } = require('dns');
const { createConnection, createServer } = require('../net');

// A lookup function backed by `resolver`, keeping the server's record order.
function lookupVia(resolver) {
  return (hostname, options, cb) => {
    resolver.resolve(hostname, 'ANY', (err, records) => {
      assert.notStrictEqual(options.family, 4);
      if (err) return cb(err);
      const hosts = records.map((r) => ({
        address: r.address,
        family: r.type === 'AAAA' ? 6 : 4,
      }));
      if (options.all === true) return cb(null, hosts);
      cb(null, hosts[0].address, hosts[0].family);
    });
  };
}

// A loopback UDP DNS server answering its one example.org query with the A
// record before the AAAA record.
function withDnsServer(ipv6Address, ipv4Address, cb) {
  const dnsServer = dgram.createSocket('udp4');
  dnsServer.on('message', common.mustCall((msg, from) => {
    const query = parseDNSPacket(msg);
    const domain = query.questions[0].domain;
    assert.strictEqual(domain, 'example.org');
    const answers = [
      { type: 'A', address: ipv4Address, ttl: 123, domain },
      { type: 'AAAA', address: ipv6Address, ttl: 123, domain },
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

if (common.hasIPv6) {
  withDnsServer('::1', '127.0.0.1', common.mustCall(({ dnsServer, lookup }) => {
    const ipv4Server = createServer((conn) => {
      conn.on('data', common.mustCall(() => {
        conn.write('response-ipv4');
        conn.end();
      }));
    });
    const ipv6Server = createServer((conn) => {
      conn.on('data', common.mustNotCall());
    });

    ipv4Server.listen(0, '127.0.0.1', common.mustCall(() => {
      const { port } = ipv4Server.address();
      ipv6Server.listen(port, '::1', common.mustCall(() => {
        const connection = createConnection({
          host: 'example.org',
          port,
          lookup,
          autoSelectFamily: true,
        });

        let reply = '';
        connection.setEncoding('utf-8');
        connection.on('data', (chunk) => { reply += chunk; });
        connection.on('end', common.mustCall(() => {
          assert.strictEqual(reply, 'response-ipv4');
          ipv4Server.close();
          ipv6Server.close();
          dnsServer.close();
        }));
        connection.write('request');
      }));
    }));
  }));
}
