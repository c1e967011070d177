// worker.terminate() at random moments while workers write over their own
// sockets (rule 18 of docs/DESIGN.md): the process must survive every round.
// Each run is a child process (test/fixtures/worker-terminate.js), so an
// abort (the old `terminate called after throwing an instance of
// 'Napi::Error'`, exit 134) or a crash fails the test instead of tap.
import t from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { eachImpl } from './impl';

const fixture = path.join(__dirname, 'fixtures', 'worker-terminate.js');
const ROUNDS = 25;

function run(requirePath: string, seed: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fixture, requirePath, String(ROUNDS), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

eachImpl(t, `${ROUNDS} rounds of 4 busy workers terminated at random moments, 2 seeds`, async (t, _net, impl) => {
  for (const seed of [1, 2]) {
    const r = await run(impl.requirePath, seed);
    t.equal(r.code, 0, `seed ${seed}: exits 0 (signal ${r.signal}; ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')})`);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
    t.equal(summary.rounds, ROUNDS, `seed ${seed}: every round ran`);
    t.ok(summary.terminatedBusy > 0, `seed ${seed}: workers were terminated while their sockets were busy`);
  }
}, 120_000);
