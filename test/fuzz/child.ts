// A fuzz child: loads one implementation, runs calls [from, to) of a seed and
// prints one JSON line per call: { i, text, outcome }. net-fuzz.test.ts runs
// one per implementation; a crash shows as a missing line.
//
//   node <ts loader> test/fuzz/child.ts <node:net | path/to/dist/net.js> <seed> <from> <to>
import { callRng } from './rng';
import { Values } from './values';
import { planCall } from './calls';
import { Observation, ephemeralRange } from './observe';
import { installFixedLookup, setUpFixtures } from './fixtures';
import type { FixtureHandles } from './fixtures';
import { makeSubject } from './subjects';
import { attemptStarted, cleanUp, settle, turns, watch } from './settle';

const [implPath, seedText, fromText, toText] = process.argv.slice(2);
const seed = Number(seedText);

/** A subject not ready after this long is the call's outcome (instead of a hung child). */
const SETUP_MS = 5000;
const setupTimedOut = Symbol('setup timed out');
const delay = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value).unref());

let current: Observation | undefined;
const stackTraceLimit = Error.stackTraceLimit;
const ephemeral = ephemeralRange();

async function runCall(net: any, fixtures: FixtureHandles, index: number): Promise<{ text: string; outcome: unknown }> {
  const { fx } = fixtures;
  // node sets it to 0 around building some errors, and leaves it so when a
  // Proxy or getter throws meanwhile: every call starts from the default.
  Error.stackTraceLimit = stackTraceLimit;
  const observation = new Observation(net);
  const rng = callRng(seed, index);
  const plan = planCall(rng, new Values(rng, fx, (label, args) => observation.callback(label, args)), index);
  const helpers: any[] = [];
  const subject = await Promise.race([makeSubject(net, plan.subject, fx, index, helpers), delay(SETUP_MS, setupTimedOut)]);
  if (subject === setupTimedOut) return { text: plan.text, outcome: { setupTimedOut: plan.subject } };
  current = observation;
  if (subject !== net) observation.track('subject', subject);
  const defaults = [net.getDefaultAutoSelectFamily(), net.getDefaultAutoSelectFamilyAttemptTimeout()];

  plan.steps.forEach((step, i) => {
    const result = observation.step(i, () => step.run(subject, net));
    if (result && step.connects) attemptStarted(step.connects === 'subject' ? subject : result.value as object);
  });
  const tracked = [...observation.tracked.values()];
  for (const o of tracked) if (o !== subject) watch(o);

  await turns(2);
  if (!(await settle(tracked, net, () => observation.changes))) observation.outcome.warnings.push('<did not settle>');
  await turns(2);
  observation.snapshot();
  if (!(await cleanUp([...tracked, ...helpers], net))) observation.outcome.warnings.push('<left open>');
  fixtures.dropConnections();
  net.setDefaultAutoSelectFamily(defaults[0]);
  net.setDefaultAutoSelectFamilyAttemptTimeout(defaults[1]);
  return { text: plan.text, outcome: observation.finish(fx, ephemeral) };
}

async function main(): Promise<void> {
  installFixedLookup();
  process.on('uncaughtException', (err) => current?.uncaught(err));
  process.on('unhandledRejection', (err) => current?.uncaught(err));
  process.on('warning', (w) => current?.warning(w));
  const fixtures = await setUpFixtures();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const net = require(implPath);
  for (let i = Number(fromText); i < Number(toText); i++) {
    const { text, outcome } = await runCall(net, fixtures, i);
    process.stdout.write(`${JSON.stringify({ i, text, outcome })}\n`);
  }
  current = undefined;
  fixtures.stop();
  // Whatever a call left behind (a timer, a lookup) must not keep the child alive.
  setTimeout(() => process.exit(0), 100).unref();
}

main().catch((err) => {
  // The child itself failed (not a call): say why, and end with an error.
  console.error(err);
  process.exit(70);
});
