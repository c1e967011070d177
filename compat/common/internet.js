'use strict';
// Host names and addresses used by network-related tests. Only INVALID_HOST
// and NOT_FOUND are used by the ported net tests and never leave the machine
// successfully (reserved names that must not resolve). Each can be overridden
// with NODE_TEST_<NAME>.
const addresses = {
  INET_HOST: 'nodejs.org',
  INET4_HOST: 'nodejs.org',
  INET6_HOST: 'nodejs.org',
  INET4_IP: '8.8.8.8',
  INET6_IP: '2001:4860:4860::8888',
  // RFC 2606: the .invalid TLD never resolves.
  INVALID_HOST: 'something.invalid',
  // Some resolvers answer SERVFAIL for .invalid; .test guarantees NXDOMAIN.
  NOT_FOUND: 'come.on.fhqwhgads.test',
};

for (const name of Object.keys(addresses)) {
  const override = process.env[`NODE_TEST_${name}`];
  if (override) addresses[name] = override;
}

module.exports = { addresses };
