#!/usr/bin/env node
// The servers the tap suite starts: PostgreSQL and Redis, from Debian's
// packages. `npm install` in a checkout of this repository runs this (from
// `prepare`, which npm runs for the project itself, never for a package
// installed as a dependency): as root with apt-get it installs what is
// missing; otherwise it says what to install. It never fails the install: a
// test that cannot start its server fails, saying the same.
//
//   node scripts/dev-setup.js          install what is missing (if root + apt), else say what
//   node scripts/dev-setup.js --list   print the Debian package names (CI installs them)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** Debian package -> the program the tests run from it (test/services.ts). */
const services = {
  postgresql: { program: 'initdb and postgres', find: findPostgresBin },
  'redis-server': { program: 'redis-server', find: () => findOnPath('redis-server') },
};

function findOnPath(program) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, program);
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

/** The bin folder of the newest PostgreSQL Debian installs (/usr/lib/postgresql/<major>/bin), or null. */
function findPostgresBin() {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a) : [];
  const bin = majors.map((v) => path.join(base, v, 'bin')).find((dir) => fs.existsSync(path.join(dir, 'postgres')));
  return bin ?? null;
}

/** What to tell someone whose machine lacks `pkg`. */
function installHint(pkg) {
  return `install the Debian package ${pkg} (apt-get install ${pkg}), or run \`npm install\` in the repository as root, which installs it`;
}

function missingPackages() {
  return Object.keys(services).filter((pkg) => !services[pkg].find());
}

/** Only for `npm install` / `npm ci` run in this repository itself. */
function isRepositoryInstall() {
  const command = process.env.npm_command;
  const initCwd = process.env.INIT_CWD && path.resolve(process.env.INIT_CWD);
  return (command === 'install' || command === 'ci') && initCwd === root && fs.existsSync(path.join(root, '.git'));
}

function main() {
  if (process.argv.includes('--list')) {
    console.log(Object.keys(services).join(' '));
    return;
  }
  // Run by hand it always checks; run by npm, only for this repository's own install.
  if (process.env.npm_command && !isRepositoryInstall()) return;
  const missing = missingPackages();
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && findOnPath('apt-get');
  if (canApt) {
    console.log(`dev-setup: installing ${missing.join(' ')} (the tap suite starts these servers)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    if (install().status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      install();
    }
  }
  for (const pkg of missingPackages()) console.warn(`dev-setup: the tap suite's ${services[pkg].program} is missing: ${installHint(pkg)}`);
}

module.exports = { findOnPath, findPostgresBin, installHint };

if (require.main === module) main();
