'use strict';
// npm run bench [-- options]
//
// Runs every scenario against node:net, iocp-net (one column per backend) and
// (where it applies) a minimal C epoll server (the ceiling), alternating the
// implementations round by round in this one run, and prints one table:
// medians, min–max, and the ratios iocp-net / node:net and % of the ceiling.
// An iocp-net backend that cannot start here is shown as not available.
// Server and load generator run as separate processes pinned to different CPUs
// (server CPU 0, client CPU 1). Loopback only; every process is bounded in time
// and killed at the end.
const fs = require('node:fs');
const path = require('node:path');
const { buildTools, iocpNetStatus, createHarness, machine, IMPLS, isIocp, OUT } = require('./lib/harness.js');
const { summarize, fmt, cell, table } = require('./lib/stats.js');
const { killAll, hasTaskset } = require('./lib/proc.js');
const { ensureTool } = require('./lib/tools.js');

const SCENARIO_FILES = [
  '1-echo-throughput.js', '2-ping-pong.js', '3-small-writes.js', '4-connection-rate.js',
  '5-idle-memory.js', '6-http-hello.js', '7-slow-reader.js', '8-sequential-rtt.js', '9-sequential-http.js',
  '10-multicore.js',
];
const DEFAULT_IMPLS = ['node', 'iocp-uring', 'iocp-epoll', 'ceiling'];

const HELP = `usage: npm run bench -- [options]
  --quick              smoke run (~1-2 min): 1 round, 1 s windows, 2,000 idle conns
  --scenario LIST      comma-separated filters on case ids or scenario numbers
                       (e.g. "echo,2" or "echo-64"); see --list
  --impl LIST          implementations, default ${DEFAULT_IMPLS.join(',')}; also
                       iocp-net (the engine's default backend, or the caller's
                       IOCP_NET_BACKEND). One that cannot load and listen here
                       is shown as "not available" and skipped
  --rounds N           rounds per case (default 3); implementations alternate
  --duration S         measured seconds per run (default 5)
  --warmup S           unmeasured seconds before each window (default 1)
  --http-client C      auto|wrk|loadgen (default auto: wrk if installed)
  --no-install         never apt-get install wrk / strace
  --json FILE          also write raw results (default bench/out/results.json)
  --write-results      put the table into bench/RESULTS.md (between its markers)
  --render FILE        print the report of a saved --json file (no run)
  --list               list the cases and exit`;

function parseArgs(argv) {
  const o = {
    quick: false, rounds: 3, duration: 5, warmup: 1, scenario: null,
    impl: DEFAULT_IMPLS, httpClient: 'auto', install: true,
    json: path.join(OUT, 'results.json'), list: false, writeResults: false,
  };
  const explicit = new Set();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--scenario': o.scenario = next().split(',').filter(Boolean); break;
      case '--impl': o.impl = next().split(',').filter(Boolean); break;
      case '--rounds': o.rounds = Number(next()); explicit.add('rounds'); break;
      case '--duration': o.duration = Number(next()); explicit.add('duration'); break;
      case '--warmup': o.warmup = Number(next()); explicit.add('warmup'); break;
      case '--http-client': o.httpClient = next(); break;
      case '--no-install': o.install = false; break;
      case '--json': o.json = path.resolve(next()); break;
      case '--list': o.list = true; break;
      case '--render': o.render = path.resolve(next()); break;
      case '--write-results': o.writeResults = true; break;
      case '-h': case '--help': console.log(HELP); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  if (o.quick) {
    if (!explicit.has('rounds')) o.rounds = 1;
    if (!explicit.has('duration')) o.duration = 1;
    if (!explicit.has('warmup')) o.warmup = 0.3;
  }
  for (const impl of o.impl) if (!IMPLS[impl]) throw new Error(`unknown implementation ${impl} (one of ${Object.keys(IMPLS).join(', ')})`);
  if (new Set(o.impl).size !== o.impl.length) throw new Error('an implementation is listed twice in --impl');
  if (!(o.rounds >= 1 && o.duration > 0 && o.warmup >= 0)) throw new Error('bad --rounds/--duration/--warmup');
  if (!['auto', 'wrk', 'loadgen'].includes(o.httpClient)) throw new Error('bad --http-client');
  return o;
}

// A filter that is a bare number selects a scenario; one equal to a case id
// selects that case; anything else selects the case ids containing it.
function loadCases(filters) {
  const all = [];
  for (const file of SCENARIO_FILES) {
    const number = file.split('-')[0];
    for (const c of require(path.join(__dirname, 'scenarios', file)).cases) all.push({ number, c });
  }
  if (!filters) return all.map((x) => x.c);
  const ids = new Set(all.map((x) => x.c.id));
  const matches = (f, { number, c }) => {
    if (/^\d+$/.test(f)) return f === number;
    return ids.has(f) ? c.id === f : c.id.includes(f);
  };
  return all.filter((x) => filters.some((f) => matches(f, x))).map((x) => x.c);
}

// wrk for scenario 6: installed, installable (root + apt-get), or our loadgen.
function chooseHttpClient(o, cases) {
  if (!cases.some((c) => c.id.startsWith('http'))) return 'loadgen';
  if (o.httpClient === 'loadgen') return 'loadgen';
  if (ensureTool('wrk', 'wrk', { versionArg: '-v', install: o.install })) return 'wrk';
  if (o.httpClient === 'wrk') throw new Error('wrk requested but not available');
  return 'loadgen';
}

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runCase(h, c, impls, o, unavailable) {
  const result = { id: c.id, title: c.title, samples: {}, errors: {}, once: {} };
  const usable = impls.filter((impl) => !unavailable[impl] && (impl !== 'ceiling' || c.ceiling));
  for (const impl of usable) { result.samples[impl] = []; result.errors[impl] = []; }
  for (let round = 0; round < o.rounds; round++) {
    for (const impl of rotate(usable, round)) {
      const t0 = Date.now();
      try {
        const sample = await c.run(h, impl);
        result.samples[impl].push(sample);
        const shown = c.metrics.filter((m) => !m.once).map((m) => `${m.label} ${fmt(sample[m.key], m.integer)}`).join(', ');
        process.stderr.write(`  [${c.id}] round ${round + 1}/${o.rounds} ${IMPLS[impl].label}: ${shown}` +
          `${sample.clientCpu != null ? ` (client CPU ${fmt(sample.clientCpu)}%, server ${fmt(sample.serverCpu)}%)` : ''}` +
          ` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      } catch (err) {
        result.errors[impl].push(err.message);
        process.stderr.write(`  [${c.id}] round ${round + 1}/${o.rounds} ${IMPLS[impl].label}: FAILED ${err.message}\n`);
      }
      await sleep(200); // let the previous server's sockets wind down
    }
  }
  if (c.once) {
    for (const impl of usable) {
      try {
        result.once[impl] = await c.once(h, impl);
        process.stderr.write(`  [${c.id}] ${IMPLS[impl].label}: ${JSON.stringify(result.once[impl])}\n`);
      } catch (err) {
        result.errors[impl].push(`once: ${err.message}`);
        process.stderr.write(`  [${c.id}] ${IMPLS[impl].label} (once): FAILED ${err.message}\n`);
      }
    }
  }
  return result;
}

// Median of a metric for one implementation (once-metrics have a single value).
function metricSummary(result, metric, impl) {
  if (metric.once) {
    const v = result.once[impl] && result.once[impl][metric.key];
    return typeof v === 'number' ? summarize([v]) : null;
  }
  const samples = result.samples[impl];
  return samples ? summarize(samples.map((s) => s[metric.key])) : null;
}

function formatRatio(r) {
  if (r >= 10) return `${r.toFixed(1)}x`;
  if (r >= 0.1) return `${r.toFixed(2)}x`;
  return `${r.toPrecision(2)}x`;
}

// The reason an implementation is missing, short enough for a table cell (the
// full text is in the notes).
function shortReason(reason) {
  const r = reason.replace(/^cannot load\/listen: /, '').replace(/^no engine backend could start: /, '').split(';')[0];
  return r.length > 60 ? `${r.slice(0, 59)}…` : r;
}

// One column per implementation (in --impl order), then each iocp-net
// variant / node:net, then each as % of the ceiling (those two only for the
// implementations that ran). The first row says what ran in each column: the
// backend, or "not available: why".
function buildTable(cases, results, { impls, unavailable, backends }) {
  const has = (impl) => impls.includes(impl);
  const iocps = impls.filter((i) => isIocp(i) && !unavailable[i]);
  const ratioImpls = has('node') ? iocps : [];
  const pctImpls = has('ceiling') ? [...iocps, ...(has('node') ? ['node'] : [])] : [];
  const header = ['scenario', 'metric', ...impls.map((i) => IMPLS[i].label),
    ...ratioImpls.map((i) => `${IMPLS[i].short}/node`), ...pctImpls.map((i) => `${IMPLS[i].short} % ceil`),
    'client CPU max', 'server CPU %'];
  const pad = (n) => Array(n).fill('');
  const ran = (impl) => {
    if (unavailable[impl]) return `not available: ${shortReason(unavailable[impl])}`;
    if (impl === 'node') return 'libuv';
    if (impl === 'ceiling') return 'C, epoll';
    return backends[impl] || '';
  };
  const rows = [['implementation', 'backend in this run', ...impls.map(ran), ...pad(ratioImpls.length + pctImpls.length + 2)]];
  const notes = [];
  cases.forEach((c, idx) => {
    const r = results[idx];
    const cpus = Object.values(r.samples).flat().map((s) => s.clientCpu).filter((x) => typeof x === 'number');
    const maxCpu = cpus.length ? Math.max(...cpus) : null;
    const serverCpus = impls.map((impl) => {
      const sm = summarize((r.samples[impl] || []).map((x) => x.serverCpu));
      return sm ? Math.round(sm.median) : '–';
    });
    c.metrics.forEach((m, mi) => {
      const s = Object.fromEntries(impls.map((impl) => [impl, metricSummary(r, m, impl)]));
      const ratio = (impl) => (s.node && s[impl] && s.node.median ? formatRatio(s[impl].median / s.node.median) : '–');
      // "failed" when the implementation ran but no run succeeded.
      const shown = (impl) => {
        if (s[impl]) return cell(s[impl], m.integer);
        if (unavailable[impl]) return 'not available';
        return (r.errors[impl] || []).length ? 'failed' : 'n/a';
      };
      const pct = (impl) => (m.better === 'higher' && s[impl] && s.ceiling && s.ceiling.median
        ? `${((100 * s[impl].median) / s.ceiling.median).toFixed(0)}%` : '–');
      rows.push([
        mi === 0 ? c.title : '',
        `${m.label} ${m.better === 'higher' ? '(higher better)' : '(lower better)'}`,
        ...impls.map((impl) => (impl === 'ceiling' && !c.ceiling ? 'n/a' : shown(impl))),
        ...ratioImpls.map(ratio), ...pctImpls.map(pct),
        mi === 0 && maxCpu != null ? `${fmt(maxCpu)}%${maxCpu >= 90 ? ' SATURATED' : ''}` : '',
        mi === 0 && serverCpus.some((x) => x !== '–') ? serverCpus.join(' / ') : '',
      ]);
    });
    for (const [impl, errs] of Object.entries(r.errors)) {
      if (errs.length) notes.push(`${c.id} ${IMPLS[impl].label}: ${errs.length} failed run(s): ${errs[0].slice(0, 300)}`);
    }
    for (const [impl, once] of Object.entries(r.once)) {
      if (once && once.note) notes.push(`${c.id} ${IMPLS[impl].label}: ${once.note}`);
    }
  });
  return { text: table(header, rows), notes };
}

// Replaces the generated part of RESULTS.md; the notes around it are kept.
const RESULTS_MD = path.join(__dirname, 'RESULTS.md');
const BEGIN = '<!-- results:begin (written by npm run bench -- --write-results) -->';
const END = '<!-- results:end -->';
function writeResultsFile(text) {
  const old = fs.existsSync(RESULTS_MD) ? fs.readFileSync(RESULTS_MD, 'utf8') : `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  const b = old.indexOf(BEGIN);
  const e = old.indexOf(END);
  if (b < 0 || e < b) throw new Error(`RESULTS.md lacks the markers ${BEGIN} ... ${END}`);
  fs.writeFileSync(RESULTS_MD, `${old.slice(0, b + BEGIN.length)}\n${text}\n${old.slice(e)}`);
  process.stderr.write('bench: table written to bench/RESULTS.md\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.render) return render(o.render, o.writeResults);
  const cases = loadCases(o.scenario);
  if (o.list) {
    for (const c of cases) console.log(`${c.id.padEnd(16)} ${c.title}`);
    return;
  }
  if (cases.length === 0) throw new Error('no case matches --scenario');
  const tools = buildTools();
  const m = machine();
  const unavailable = {};
  m.backends = {};
  for (const impl of o.impl.filter(isIocp)) {
    const st = iocpNetStatus(impl);
    if (!st.ok) unavailable[impl] = st.reason;
    else m.backends[impl] = st.backend;
  }
  if (process.env.IOCP_NET_PATH) m.iocpNetPath = process.env.IOCP_NET_PATH;
  const httpClient = chooseHttpClient(o, cases);
  const h = createHarness({ duration: o.duration, warmup: o.warmup, cpus: m.cores, tools });
  h.quick = o.quick;
  h.httpClient = httpClient;
  h.hasStrace = cases.some((c) => c.id.startsWith('smallwrites')) && ensureTool('strace', 'strace', { versionArg: '-V', install: o.install });
  h.hasPerf = !h.hasStrace && ensureTool('perf', 'linux-perf', { versionArg: '--version', install: false });

  const started = new Date();
  process.stderr.write(`bench: ${cases.length} case(s), ${o.rounds} round(s), ${o.duration} s + ${o.warmup} s warm-up per run; ` +
    `implementations: ${o.impl.map((i) => IMPLS[i].label + (unavailable[i] ? ` (not available: ${unavailable[i]})` : '')).join(', ')}\n`);
  const results = [];
  for (const c of cases) {
    process.stderr.write(`${c.title}\n`);
    results.push(await runCase(h, c, o.impl, o, unavailable));
  }

  const pinning = m.cores >= 2
    ? `server on CPU ${h.serverCpu}${hasTaskset ? ' (taskset)' : ' (only the C ceiling is pinned: taskset missing)'}, load generator on CPU ${h.clientCpu}`
    : 'single CPU: no pinning';
  const run = { date: started.toISOString(), machine: m, options: o, httpClient, pinning, unavailable, results };
  const text = report(run, cases);
  console.log(text);
  if (o.writeResults) writeResultsFile(text);
  fs.mkdirSync(path.dirname(o.json), { recursive: true });
  fs.writeFileSync(o.json, JSON.stringify(run, null, 2));
  process.stderr.write(`bench: raw results in ${path.relative(process.cwd(), o.json)}\n`);
}

// The printed report: header lines, the table, notes.
function report(run, cases) {
  const { machine: m, options: o, httpClient, pinning, unavailable, results } = run;
  // Saved runs from before the per-backend columns have m.iocpNetBackend only.
  const backends = m.backends || (m.iocpNetBackend ? { 'iocp-net': m.iocpNetBackend } : {});
  const impls = o.impl;
  const { text, notes } = buildTable(cases, results, { impls, unavailable, backends });
  const backendList = impls.filter(isIocp).map((i) => `${IMPLS[i].label} ${backends[i] || 'not available'}`).join(', ');
  const lines = [
    `- Date: ${run.date}`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memGiB} GiB, ${m.kernel}; Node ${m.node}` +
      (backendList ? `; iocp-net backends: ${backendList}` : '') + (m.iocpNetPath ? ` (IOCP_NET_PATH=${m.iocpNetPath})` : ''),
    `- Run: ${[
      `${o.rounds} round(s) per case, implementations alternating`,
      `${o.duration} s measured + ${o.warmup} s warm-up per run`,
      pinning || 'server on CPU 0 (taskset), load generator on CPU 1',
      ...(cases.some((c) => c.id.startsWith('http')) ? [`HTTP client of scenario 6: ${httpClient === 'wrk' ? 'wrk -t1' : 'loadgen (own C HTTP/1.1 client)'}`] : []),
    ].join('; ')}`,
    '- Cells: median (min–max) over the rounds. MB = 10^6 bytes. "server CPU %": median CPU use of the server ' +
      `process over the measured window (${impls.map((i) => IMPLS[i].label).join(' / ')}); well under 100 % with an unsaturated ` +
      'client means the server was latency-bound or starved by other load.',
    '',
    text,
  ];
  for (const [impl, reason] of Object.entries(unavailable)) notes.unshift(`${IMPLS[impl].label}: not available — ${reason}`);
  if (notes.length) lines.push('', 'Notes:', ...notes.map((n) => `- ${n.replace(/\s*\n\s*/g, ' | ')}`));
  return lines.join('\n');
}

// --render FILE: print (and with --write-results, store) the report of a saved run.
function render(file, writeResults) {
  const run = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(loadCases(null).map((c) => [c.id, c]));
  const cases = run.results.map((r) => byId.get(r.id) || { id: r.id, title: r.title, metrics: [], ceiling: false });
  const text = report(run, cases);
  console.log(text);
  if (writeResults) writeResultsFile(text);
}

main().then(() => { killAll(); }, (err) => {
  killAll();
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
});
