'use strict';
// Minimal DNS wire-format reader/writer (RFC 1035) so tests can answer c-ares
// queries from a local UDP server (dgram on 127.0.0.1), plus a lookup() mock
// that fails like getaddrinfo. Supports the record types the tests need.

const assert = require('node:assert');
const dgram = require('node:dgram');

const types = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, ANY: 255, CAA: 257,
};
const classes = { IN: 1 };
const typeNames = new Map(Object.entries(types).map(([name, code]) => [code, name]));

// Standard response: QR=1, RD=1, RA=1, RCODE=0.
const kResponseFlags = 0x8180;
const kHeaderSize = 12;

// ---------------------------------------------------------------------------
// Reading

// Reads a (possibly compressed) name at `offset`. Returns the dotted name and
// how many bytes it occupies at `offset` (a pointer occupies 2).
function readName(buf, offset) {
  const labels = [];
  let consumed = 0;
  let pos = offset;
  let jumped = false;
  for (let hops = 0; hops < 128; hops++) {
    assert.ok(pos < buf.length, 'DNS name runs past the packet');
    const len = buf[pos];
    if ((len & 0xC0) === 0xC0) {
      if (!jumped) consumed += 2;
      jumped = true;
      pos = buf.readUInt16BE(pos) & 0x3FFF;
      continue;
    }
    assert.strictEqual(len & 0xC0, 0, 'unsupported DNS label type');
    if (!jumped) consumed += 1 + len;
    if (len === 0) return { name: labels.join('.'), size: consumed };
    labels.push(buf.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('DNS name compression loop');
}

function formatIPv6(buf, offset) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(buf.toString('hex', offset + i, offset + i + 2));
  return groups.join(':');
}

function readRecordData(rr, buf, offset, length) {
  switch (rr.type) {
    case 'A':
      assert.strictEqual(length, 4);
      rr.address = Array.from(buf.subarray(offset, offset + 4)).join('.');
      break;
    case 'AAAA':
      assert.strictEqual(length, 16);
      rr.address = formatIPv6(buf, offset);
      break;
    case 'TXT': {
      rr.entries = [];
      let pos = offset;
      while (pos < offset + length) {
        const n = buf[pos];
        rr.entries.push(buf.toString('utf8', pos + 1, pos + 1 + n));
        pos += 1 + n;
      }
      assert.strictEqual(pos, offset + length);
      break;
    }
    case 'MX':
      rr.priority = buf.readUInt16BE(offset);
      rr.exchange = readName(buf, offset + 2).name;
      break;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      rr.value = readName(buf, offset).name;
      break;
    case 'SOA': {
      const mname = readName(buf, offset);
      const rname = readName(buf, offset + mname.size);
      const at = offset + mname.size + rname.size;
      Object.assign(rr, {
        nsname: mname.name,
        hostmaster: rname.name,
        serial: buf.readUInt32BE(at),
        refresh: buf.readUInt32BE(at + 4),
        retry: buf.readUInt32BE(at + 8),
        expire: buf.readUInt32BE(at + 12),
        minttl: buf.readUInt32BE(at + 16),
      });
      break;
    }
    default:
      throw new Error(`Unknown RR type ${rr.type}`);
  }
}

// Parses a whole packet into { id, flags, questions, answers,
// authorityAnswers, additionalRecords }; each record has domain, type (name),
// cls, and for resource records ttl plus type-specific fields.
function parseDNSPacket(buf) {
  assert.ok(buf.length > kHeaderSize, 'DNS packet too short');
  const packet = { id: buf.readUInt16BE(0), flags: buf.readUInt16BE(2) };
  const sections = ['questions', 'answers', 'authorityAnswers', 'additionalRecords'];
  let offset = kHeaderSize;
  sections.forEach((section, i) => {
    const count = buf.readUInt16BE(4 + 2 * i);
    packet[section] = [];
    for (let n = 0; n < count; n++) {
      const { name, size } = readName(buf, offset);
      offset += size;
      const typeCode = buf.readUInt16BE(offset);
      const rr = { domain: name, cls: buf.readUInt16BE(offset + 2) };
      if (typeNames.has(typeCode)) rr.type = typeNames.get(typeCode);
      offset += 4;
      if (section !== 'questions') {
        rr.ttl = buf.readInt32BE(offset);
        const length = buf.readUInt16BE(offset + 4);
        offset += 6;
        readRecordData(rr, buf, offset, length);
        offset += length;
      }
      packet[section].push(rr);
      assert.ok(offset <= buf.length, 'DNS record runs past the packet');
    }
  });
  assert.strictEqual(offset, buf.length, 'trailing bytes after DNS packet');
  return packet;
}

// ---------------------------------------------------------------------------
// Writing

function encodeName(domain) {
  const parts = [];
  for (const label of domain.split('.').filter(Boolean)) {
    assert.ok(label.length < 64, `DNS label too long: ${label}`);
    parts.push(Buffer.from([label.length]), Buffer.from(label, 'ascii'));
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function encodeIPv4(address) {
  return Buffer.from(address.split('.').map(Number));
}

// Accepts full or "::"-compressed IPv6 text (no embedded IPv4).
function encodeIPv6(address) {
  const out = Buffer.alloc(16);
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  headGroups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  const tailStart = 16 - 2 * tailGroups.length;
  tailGroups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), tailStart + 2 * i));
  return out;
}

function u16(value) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function encodeRecordData(rr) {
  switch (rr.type) {
    case 'A': return encodeIPv4(rr.address);
    case 'AAAA': return encodeIPv6(rr.address);
    case 'TXT':
      return Buffer.concat(rr.entries.flatMap((text) => {
        const bytes = Buffer.from(text);
        return [Buffer.from([bytes.length]), bytes];
      }));
    case 'MX': return Buffer.concat([u16(rr.priority), encodeName(rr.exchange)]);
    case 'NS':
    case 'CNAME':
    case 'PTR': return encodeName(rr.value);
    case 'SOA': {
      const numbers = Buffer.alloc(20);
      [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minttl]
        .forEach((v, i) => numbers.writeUInt32BE(v, 4 * i));
      return Buffer.concat([encodeName(rr.nsname), encodeName(rr.hostmaster), numbers]);
    }
    case 'CAA': {
      const tag = Buffer.from('issue');
      return Buffer.concat([Buffer.from([Number(rr.critical), tag.length]), tag, Buffer.from(rr.issue)]);
    }
    default:
      throw new Error(`Unknown RR type ${rr.type}`);
  }
}

// Serializes { id, flags?, questions, answers?, authorityAnswers?,
// additionalRecords? } (the shape parseDNSPacket returns). Names are written
// uncompressed.
function writeDNSPacket(packet) {
  const sections = [packet.questions || [], packet.answers || [],
                    packet.authorityAnswers || [], packet.additionalRecords || []];
  const header = Buffer.alloc(kHeaderSize);
  header.writeUInt16BE(packet.id, 0);
  header.writeUInt16BE(packet.flags === undefined ? kResponseFlags : packet.flags, 2);
  sections.forEach((records, i) => header.writeUInt16BE(records.length, 4 + 2 * i));

  const parts = [header];
  for (const q of sections[0]) {
    assert.ok(types[q.type], `unknown question type ${q.type}`);
    parts.push(encodeName(q.domain), u16(types[q.type]), u16(q.cls === undefined ? classes.IN : q.cls));
  }
  for (const rr of sections.slice(1).flat()) {
    assert.ok(types[rr.type], `unknown record type ${rr.type}`);
    const data = encodeRecordData(rr);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(types[rr.type], 0);
    fixed.writeUInt16BE(rr.cls === undefined ? classes.IN : rr.cls, 2);
    fixed.writeInt32BE(rr.ttl | 0, 4);
    fixed.writeUInt16BE(data.length, 8);
    parts.push(encodeName(rr.domain), fixed, data);
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------
// Mocks

// A UDP DNS server on 127.0.0.1 (ephemeral port) that answers every query for
// `domain` with the given AAAA then A records. cb({ dnsServer, port }) once
// bound; close dnsServer when done.
function createMockedDnsServer({ domain, ipv6 = [], ipv4 = [] }, cb) {
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, from) => {
    const query = parseDNSPacket(msg);
    assert.strictEqual(query.questions[0].domain, domain);
    const answers = [
      ...ipv6.map((address) => ({ type: 'AAAA', address, ttl: 123, domain })),
      ...ipv4.map((address) => ({ type: 'A', address, ttl: 123, domain })),
    ];
    server.send(writeDNSPacket({ id: query.id, questions: query.questions, answers }),
                from.port, from.address);
  });
  server.bind(0, '127.0.0.1', () => cb({ dnsServer: server, port: server.address().port }));
  return server;
}

const mockedErrorCode = 'ENOTFOUND';
const mockedSysCall = 'getaddrinfo';

// A lookup(hostname, options, cb) that fails the way dns.lookup does.
function errorLookupMock(code = mockedErrorCode, syscall = mockedSysCall) {
  return function lookupWithError(hostname, _options, cb) {
    const err = new Error(`${syscall} ${code} ${hostname}`);
    err.code = code;
    err.errno = code;
    err.syscall = syscall;
    err.hostname = hostname;
    cb(err);
  };
}

module.exports = {
  types,
  classes,
  parseDNSPacket,
  writeDNSPacket,
  createMockedDnsServer,
  errorLookupMock,
  mockedErrorCode,
  mockedSysCall,
};
