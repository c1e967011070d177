// Differential fuzzer: thousands of seeded calls over the public API (connect,
// createConnection, createServer, listen, write, end, setTimeout,
// setNoDelay, setKeepAlive, address, isIP, BlockList, SocketAddress, ...)
// with hostile arguments, run by one child process per implementation (so
// a crash is seen and does not end the run). Every call's return values,
// thrown errors, emitted errors and events, callback calls, uncaught
// exceptions, warnings and end state must be the same on iocp-net as on
// node:net. A failure names the seed and the call, and how to replay it.
//
//   FUZZ_SEED=<n>    seed (default below; CI runs it)
//   FUZZ_CALLS=<n>   number of calls (default 4000)
//   FUZZ_CALL=<i>    run call i alone (replay)
//   FUZZ_SHOW=<n>    how many differing calls to detail (default 10)
//   big runs need tap's timeout off: FUZZ_CALLS=50000 npx tap -t0 test/fuzz/net-fuzz.test.ts
import t from 'tap';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { impls, nodeImpl } from '../impl';
import type { Impl } from '../impl';

const DEFAULT_SEED = 20251111;
const seed = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
const calls = Number(process.env.FUZZ_CALLS ?? 4000);
const only = process.env.FUZZ_CALL === undefined ? undefined : Number(process.env.FUZZ_CALL);
const [first, end] = only === undefined ? [0, calls] : [only, only + 1];

/** A child that prints nothing for this long is taken as hung. */
const SILENCE_MS = 30_000;
/** At most this many crashes are run past per implementation. */
const MAX_CRASHES = 50;
/** Windows node.exe under Wine (as in calls.ts; test/impl.ts isWine would load iocp-net). */
const isWine = process.platform === 'win32' && 'WINELOADER' in process.env;
/** Under Wine, differing calls are replayed only when there are this many or fewer. */
const MAX_WINE_REPLAYS = 10;

interface Result {
  text?: string;
  /** The call's outcome, or why there is none (a crash). */
  outcome: unknown;
}

interface ChildEnd {
  results: Map<number, Result>;
  lastIndex: number;
  code: number | null;
  signal: string | null;
  stderr: string;
}

const childScript = path.join(__dirname, 'child.ts');
// The child is TypeScript too: it gets the loader tap gave this process.
const loaderArgs = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));

function runChild(impl: Impl, from: number, to: number): Promise<ChildEnd> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...loaderArgs, '--no-warnings', childScript, impl.requirePath, String(seed), String(from), String(to)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const results = new Map<number, Result>();
    let lastIndex = from - 1;
    let pending = '';
    let stderr = '';
    let silence = setTimeout(() => child.kill('SIGKILL'), SILENCE_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      clearTimeout(silence);
      silence = setTimeout(() => child.kill('SIGKILL'), SILENCE_MS);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const { i, text, outcome } = JSON.parse(line);
        results.set(i, { text, outcome });
        lastIndex = i;
      }
    });
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('close', (code, signal) => {
      clearTimeout(silence);
      resolve({ results, lastIndex, code, signal, stderr });
    });
  });
}

/** Runs calls [first, end) on `impl`; a crash is that call's outcome, and the run goes on after it. */
async function runAll(impl: Impl): Promise<Map<number, Result>> {
  const all = new Map<number, Result>();
  let from = first;
  let crashes = 0;
  while (from < end) {
    const run = await runChild(impl, from, end);
    for (const [i, r] of run.results) all.set(i, r);
    if (run.lastIndex >= end - 1) break;
    const crashed = run.lastIndex + 1;
    const tail = run.stderr.trim().split('\n').slice(-12).join('\n');
    all.set(crashed, { outcome: { crash: { code: run.code, signal: run.signal, stderr: tail } } });
    from = crashed + 1;
    if (++crashes >= MAX_CRASHES) break;
  }
  return all;
}

/** The fields of two outcomes that differ (the whole value when one is a crash). */
function differingParts(a: any, b: any): Record<string, unknown> {
  if (!a || !b || a.crash || b.crash) return { 'node:net': a ?? '<no result>', 'iocp-net': b ?? '<no result>' };
  const parts: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) parts[key] = { 'node:net': a[key], 'iocp-net': b[key] };
  }
  return parts;
}

const replay = (i: number) => `FUZZ_SEED=${seed} FUZZ_CALL=${i} npx tap test/fuzz/net-fuzz.test.ts`;
const iocp = impls.find((impl) => impl !== nodeImpl);

// The file's own time limit too (tap's 120 s per file): the calls run one
// child at a time, and on a loaded machine, or with the sanitizer runtimes
// preloaded, they take far longer than alone. A child that hangs is caught
// by SILENCE_MS, not by this.
const budgetMs = Math.max(120_000, (end - first) * 200);
t.setTimeout(budgetMs);

t.test(`${end - first} fuzz calls, seed ${seed}: iocp-net behaves as node:net`, async (t) => {
  t.setTimeout(budgetMs);
  if (!iocp) {
    t.comment('NET_IMPL selects node:net only: checking that node:net runs every call');
  } else if (!iocp.net) {
    t.fail(`iocp-net could not be loaded from ${iocp.requirePath}: ${String(iocp.loadError)}`);
    return;
  }
  // One child at a time: the suite runs other test files meanwhile, some of them timing-sensitive.
  const reference = await runAll(nodeImpl);
  const tested = iocp ? await runAll(iocp) : undefined;
  const nodeCrashes = [...reference].filter(([, r]) => (r.outcome as any)?.crash);
  for (const [i, r] of nodeCrashes.slice(0, 5)) {
    t.fail(`node:net itself crashed on call #${i}: exclude such calls in calls.ts`, { seed, replay: replay(i), outcome: r.outcome });
  }
  if (!tested) return;
  const same = (a: Result | undefined, b: Result | undefined) => JSON.stringify(a?.outcome) === JSON.stringify(b?.outcome);
  let differences: number[] = [];
  for (let i = first; i < end; i++) {
    if (!same(reference.get(i), tested.get(i))) differences.push(i);
  }
  if (isWine && differences.length > 0 && differences.length <= MAX_WINE_REPLAYS) {
    // Loosened under Wine: a call whose outcome differs counts only if it
    // differs again when replayed alone (twice). Under Wine loopback
    // connects complete or are refused at once and every completion goes
    // through wineserver (docs/DESIGN.md "Wine"), so node.exe's own answer
    // to a call that races its peer (an accepted socket's 'end' against its
    // close, a reconnect against a 'close') varies from run to run: about one
    // 1,000-call run in three had such a call. A real difference replays.
    const kept: number[] = [];
    for (const i of differences) {
      let agreed = false;
      for (let attempt = 0; attempt < 2 && !agreed; attempt++) {
        const a = (await runChild(nodeImpl, i, i + 1)).results.get(i);
        const b = (await runChild(iocp!, i, i + 1)).results.get(i);
        agreed = a !== undefined && b !== undefined && same(a, b);
      }
      if (agreed) t.comment(`call #${i} differed in the run but agreed when replayed alone (a race under Wine): ${replay(i)}`);
      else kept.push(i);
    }
    differences = kept;
  }
  for (const i of differences.slice(0, Number(process.env.FUZZ_SHOW ?? 10))) {
    t.fail(`call #${i}: ${reference.get(i)?.text ?? tested.get(i)?.text ?? '?'}`, {
      seed, replay: replay(i), differs: differingParts(reference.get(i)?.outcome, tested.get(i)?.outcome),
    });
  }
  t.equal(differences.length, 0, `calls whose outcome differs (seed ${seed}): ${differences.slice(0, 30).join(', ')}`);
  t.equal(tested.size, end - first, 'iocp-net ran every call');
});
