// Argument validators with Node's names, signatures, checks and error texts.
// Each throws the coded error Node throws for the same input, with a stack that
// starts at the validator's caller.

import * as events from 'events';
import { codes, hideStackFrames, withoutStackFrames } from './errors';
import { features } from './features';

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE, ERR_SOCKET_BAD_PORT } = codes;

/** Shared frozen empty options object. */
export const kEmptyObject: Readonly<Record<string, never>> = Object.freeze(Object.create(null));

export function isInt32(value: unknown): value is number {
  return value === ((value as number) | 0);
}

export function isUint32(value: unknown): value is number {
  return value === ((value as number) >>> 0);
}

export const validateInteger = hideStackFrames(
  (value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): void => {
    if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
    if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
    if (value < min || value > max) throw new ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
  },
);

export const validateInt32 = hideStackFrames(
  (value: unknown, name: string, min = -2147483648, max = 2147483647): void => {
    if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
    if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
    if (value < min || value > max) throw new ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
  },
);

export const validateUint32 = hideStackFrames((value: unknown, name: string, positive = false): void => {
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  if (!Number.isInteger(value)) throw new ERR_OUT_OF_RANGE(name, 'an integer', value);
  const min = positive ? 1 : 0;
  const max = 4_294_967_295;
  if (value < min || value > max) throw new ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
});

export const validateString = hideStackFrames((value: unknown, name: string): void => {
  if (typeof value !== 'string') throw new ERR_INVALID_ARG_TYPE(name, 'string', value);
});

export const validateStringWithoutNullBytes = hideStackFrames((value: unknown, name: string): void => {
  validateString(value, name);
  if ((value as string).includes('\u0000')) throw new ERR_INVALID_ARG_VALUE(name, value, 'must be a string without null bytes');
});

export const validateNumber = hideStackFrames((value: unknown, name: string, min?: number | null, max?: number | null): void => {
  if (typeof value !== 'number') throw new ERR_INVALID_ARG_TYPE(name, 'number', value);
  const hasMin = min != null;
  const hasMax = max != null;
  if ((hasMin && value < min) || (hasMax && value > max) || ((hasMin || hasMax) && Number.isNaN(value))) {
    const range = `${hasMin ? `>= ${min}` : ''}${hasMin && hasMax ? ' && ' : ''}${hasMax ? `<= ${max}` : ''}`;
    throw new ERR_OUT_OF_RANGE(name, range, value);
  }
});

/** Returns false for undefined/NaN, true for finite numbers, throws otherwise. */
export const validateFiniteNumber = hideStackFrames((value: unknown, name: string): boolean => {
  if (value === undefined) return false;
  if (Number.isFinite(value)) return true;
  if (Number.isNaN(value)) return false;
  validateNumber(value, name);
  throw new ERR_OUT_OF_RANGE(name, 'a finite number', value);
});

export const validateOneOf = hideStackFrames((value: unknown, name: string, oneOf: readonly unknown[]): void => {
  if (!oneOf.includes(value)) {
    const allowed = oneOf.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
    throw new ERR_INVALID_ARG_VALUE(name, value, `must be one of: ${allowed}`);
  }
});

export const validateBoolean = hideStackFrames((value: unknown, name: string): void => {
  if (typeof value !== 'boolean') throw new ERR_INVALID_ARG_TYPE(name, 'boolean', value);
});

export const kValidateObjectNone = 0;
export const kValidateObjectAllowNullable = 1 << 0;
export const kValidateObjectAllowArray = 1 << 1;
export const kValidateObjectAllowFunction = 1 << 2;
export const kValidateObjectAllowObjects = kValidateObjectAllowArray | kValidateObjectAllowFunction;
export const kValidateObjectAllowObjectsAndNull =
  kValidateObjectAllowNullable | kValidateObjectAllowArray | kValidateObjectAllowFunction;

/** Plain objects only by default; the flags above relax null / arrays / functions. */
export const validateObject = hideStackFrames((value: unknown, name: string, options = kValidateObjectNone): void => {
  const allowNull = (options & kValidateObjectAllowNullable) !== 0;
  const allowArray = (options & kValidateObjectAllowArray) !== 0;
  const allowFunction = (options & kValidateObjectAllowFunction) !== 0;
  if (value === null && !allowNull) throw new ERR_INVALID_ARG_TYPE(name, 'Object', value);
  if (Array.isArray(value) && !allowArray) throw new ERR_INVALID_ARG_TYPE(name, 'Object', value);
  const type = typeof value;
  if (type !== 'object' && !(allowFunction && type === 'function')) {
    throw new ERR_INVALID_ARG_TYPE(name, 'Object', value);
  }
});

export const validateDictionary = hideStackFrames((value: unknown, name: string): void => {
  if (value != null && typeof value !== 'object' && typeof value !== 'function') {
    throw new ERR_INVALID_ARG_TYPE(name, 'a dictionary', value);
  }
});

export const validateArray = hideStackFrames((value: unknown, name: string, minLength = 0): void => {
  if (!Array.isArray(value)) throw new ERR_INVALID_ARG_TYPE(name, 'Array', value);
  if (value.length < minLength) {
    throw new ERR_INVALID_ARG_VALUE(name, value, features.validateArrayLengthText
      ? `must have a length of at least ${minLength}` : `must be longer than ${minLength}`);
  }
});

export const validateStringArray = hideStackFrames((value: unknown, name: string): void => {
  validateArray(value, name);
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== 'string') throw new ERR_INVALID_ARG_TYPE(`${name}[${i}]`, 'string', item);
  });
});

export const validateBooleanArray = hideStackFrames((value: unknown, name: string): void => {
  validateArray(value, name);
  (value as unknown[]).forEach((item, i) => {
    if (item !== true && item !== false) throw new ERR_INVALID_ARG_TYPE(`${name}[${i}]`, 'boolean', item);
  });
});

export const validateBuffer = hideStackFrames((buffer: unknown, name = 'buffer'): void => {
  if (!ArrayBuffer.isView(buffer)) {
    throw new ERR_INVALID_ARG_TYPE(name, ['Buffer', 'TypedArray', 'DataView'], buffer);
  }
});

/** Returns the port as an int32. Accepts numbers and numeric non-blank strings in [0, 65535]
 *  (0 only if allowZero). */
export const validatePort = hideStackFrames((port: unknown, name = 'Port', allowZero = true): number => {
  const invalid =
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== (+port >>> 0) ||
    (port as number) > 0xffff ||
    (port === 0 && !allowZero);
  if (invalid) throw new ERR_SOCKET_BAD_PORT(name, port, allowZero);
  return (port as number) | 0;
});

/** undefined is allowed; otherwise an object with an `aborted` property. */
export const validateAbortSignal = hideStackFrames((signal: unknown, name: string): void => {
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw new ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal);
  }
});

// Symbol.dispose (node defines it; ES2022's lib does not know it).
export const symbolDispose: unique symbol = (Symbol as any).dispose ?? Symbol.for('nodejs.dispose');
export interface Disposable { [symbolDispose](): void }

/** events.addAbortListener (node >= 20.5): node's own way of listening to
 *  'abort', which reads and validates the signal as node does. */
export const addAbortListener: (signal: AbortSignal, listener: () => void) => Disposable =
  (events as any).addAbortListener ?? function addAbortListener(signal: AbortSignal, listener: () => void): Disposable {
    validateAbortSignal(signal, 'signal');
    validateFunction(listener, 'listener');
    if (signal.aborted) {
      queueMicrotask(listener);
      return { [symbolDispose]() {} };
    }
    signal.addEventListener('abort', listener, { once: true });
    return { [symbolDispose]() { signal.removeEventListener('abort', listener); } };
  };

export const validateFunction = hideStackFrames((value: unknown, name: string): void => {
  if (typeof value !== 'function') throw new ERR_INVALID_ARG_TYPE(name, 'Function', value);
});

export const validateUndefined = hideStackFrames((value: unknown, name: string): void => {
  if (value !== undefined) throw new ERR_INVALID_ARG_TYPE(name, 'undefined', value);
});

export function validateUnion(value: unknown, name: string, union: readonly unknown[]): void {
  if (!union.includes(value)) {
    // Node throws this one without any stack frames.
    throw withoutStackFrames(() => new ERR_INVALID_ARG_TYPE(name, `('${union.join('|')}')`, value));
  }
}
