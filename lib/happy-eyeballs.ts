// Happy Eyeballs v2 (RFC 8305) connection racing, the opt-in
// `connect({ happyEyeballs })`: attempts to the resolved addresses (families
// interleaved, the first answer's family first, RFC 8305 section 4) start
// one "connection attempt delay" apart (250 ms by default, section 5), or at
// once when the attempt before fails; earlier attempts keep running. The
// first to connect wins; every other one is closed (its socket gone, no
// event of its own). node's autoSelectFamily (lib/lookup.ts), which aborts
// each attempt after a short timeout and tries the next, stays the default.
//
// Events, as autoSelectFamily's: 'connectionAttempt' for each attempt
// started, 'connectionAttemptFailed' for each that failed; never
// 'connectionAttemptTimeout' (nothing times out: a slow attempt keeps
// running beside the next one). When every attempt failed, the socket is
// destroyed with node's AggregateError (code: the first error's; errors: one
// per attempt, in the order they failed).
import { getEngine, CloseMode } from './engine';
import { NodeAggregateError } from './errors';
import { validateInt32 } from './validate';
import { kAdoptHandle, kAfterConnect, kAsyncResource, kAbortPendingAttempt } from './symbols';
import type { Socket, ConnectRequest } from './socket';
import { startAttempt as startConnectAttempt, attemptError } from './lookup';

/** RFC 8305 section 8: "Connection Attempt Delay", recommended 250 ms. */
export const DEFAULT_CONNECTION_ATTEMPT_DELAY = 250;
/** RFC 8305 section 8: it "MUST NOT be less than 10 milliseconds". */
const MINIMUM_CONNECTION_ATTEMPT_DELAY = 10;

/**
 * The connection attempt delay `connect({ happyEyeballs })` asks for, in ms,
 * or 0 when it does not ask for a race: `true` is 250 ms; a number (integer,
 * at least 1; below 10 counts as 10) is the delay; false/undefined/null off.
 */
export function connectionAttemptDelay(option: unknown): number {
  if (option === undefined || option === null || option === false) return 0;
  if (option === true) return DEFAULT_CONNECTION_ATTEMPT_DELAY;
  validateInt32(option, 'options.happyEyeballs', 1);
  return Math.max(option as number, MINIMUM_CONNECTION_ATTEMPT_DELAY);
}

/** The connect() option (TCP connections to a host name). */
export interface HappyEyeballsOpts {
  /** Race the resolved addresses (RFC 8305): true (250 ms between starts) or the delay in ms (at least 10). */
  happyEyeballs?: boolean | number;
}

export interface RaceAddress { address: string; family: number }

interface Attempt { handle: number; req: ConnectRequest }

interface Race {
  socket: Socket;
  addresses: RaceAddress[];
  next: number;
  port: number;
  localPort: number | undefined;
  delay: number;
  timer: NodeJS.Timeout | null;
  attempts: Attempt[];
  errors: Error[];
  done: boolean;
}

/** Starts the race over `addresses` (two or more, in the order to try them). */
export function raceConnect(socket: Socket, addresses: RaceAddress[], port: number, localPort: number | undefined,
                            delay: number): void {
  socket.autoSelectFamilyAttemptedAddresses = [];
  const race: Race = {
    socket, addresses, next: 0, port, localPort, delay, timer: null, attempts: [], errors: [], done: false,
  };
  socket[kAbortPendingAttempt] = () => endRace(race, null);
  startNext(race);
}

/** Stops everything: the winner (if any) is kept; every other attempt is closed. */
function endRace(race: Race, winner: Attempt | null): void {
  race.done = true;
  if (race.timer !== null) clearTimeout(race.timer);
  race.timer = null;
  if (race.socket[kAbortPendingAttempt] !== null) race.socket[kAbortPendingAttempt] = null;
  const engine = getEngine();
  for (const attempt of race.attempts) {
    if (attempt !== winner) engine.close(attempt.handle, CloseMode.Abort);
  }
  race.attempts.length = 0;
}

/** Starts the next attempt, and arms the timer for the one after it. */
function startNext(race: Race): void {
  if (race.timer !== null) clearTimeout(race.timer);
  race.timer = null;
  const self = race.socket;
  if (race.done || self._aborted || !self.connecting) return;
  // An attempt that cannot even start fails at once: try the next one then.
  while (race.next < race.addresses.length) {
    if (startAttempt(race, race.addresses[race.next++])) break;
    if (race.done) return;
  }
  if (race.next < race.addresses.length) {
    race.timer = setTimeout(() => self[kAsyncResource]!.runInAsyncScope(startNext, null, race), race.delay);
  } else if (race.attempts.length === 0) {
    lose(race);
  }
}

/** One attempt: true when it is in flight, false when it failed at once. */
function startAttempt(race: Race, address: RaceAddress): boolean {
  const started = startConnectAttempt(race.socket, address, race.port, race.localPort, race.errors,
    (_handle, _req, status) => afterAttempt(race, attempt!, status));
  if (started === null) return false;
  const attempt: Attempt = started;
  race.attempts.push(attempt);
  return true;
}

function afterAttempt(race: Race, attempt: Attempt, status: number): void {
  // Lost the race, or the socket was destroyed: its handle is already closing.
  if (race.done) return;
  const self = race.socket;
  const engine = getEngine();
  const { handle, req } = attempt;
  race.attempts.splice(race.attempts.indexOf(attempt), 1);
  if (status === 0) {
    endRace(race, attempt);
    if (self.destroyed || !self.connecting) {
      engine.close(handle, CloseMode.Abort);
      return;
    }
    self[kAdoptHandle](handle, req);
    self[kAfterConnect](0);
    return;
  }
  const ex = attemptError(self, handle, req, status);
  engine.close(handle, CloseMode.Abort);
  race.errors.push(ex);
  self.emit('connectionAttemptFailed', req.address, req.port, req.addressType, ex);
  if (race.done || !self.connecting) return;
  // RFC 8305 section 5: a failure starts the next attempt at once.
  if (race.next < race.addresses.length) startNext(race);
  else if (race.attempts.length === 0) lose(race);
}

/** Every attempt failed. */
function lose(race: Race): void {
  endRace(race, null);
  race.socket.destroy(new NodeAggregateError(race.errors));
}
