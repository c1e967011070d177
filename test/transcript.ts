// What transcripts record of errors, and how run-specific values (ports,
// paths) are made comparable. No tap here: fuzz child processes use it too.

/** Everything tests compare about an error (absent fields are left out;
 *  `keys` tells which own enumerable properties exist). */
export function errorShape(err: any): Record<string, unknown> | undefined {
  if (err === undefined || err === null) return err;
  const shape: Record<string, unknown> = {
    ctor: err.constructor?.name,
    name: err.name,
    code: err.code,
    errno: err.errno,
    syscall: err.syscall,
    address: err.address,
    port: err.port,
    hostname: err.hostname,
    message: err.message,
    keys: Object.keys(err),
    stackHeader: typeof err.stack === 'string' ? err.stack.split('\n')[0] : err.stack,
    errors: Array.isArray(err.errors) ? err.errors.map(errorShape) : undefined,
  };
  for (const key of Object.keys(shape)) if (shape[key] === undefined) delete shape[key];
  return shape;
}

/**
 * Replaces run-specific values (ports, paths) by stable names, deeply: a
 * number equal to a value becomes its name, and occurrences inside strings are
 * replaced. Lets transcripts from two runs be compared.
 */
export function mask<T>(value: T, names: Record<string, number | string>): T {
  const entries = Object.entries(names).sort((a, b) => String(b[1]).length - String(a[1]).length);
  return mapLeaves(value, (n) => entries.find(([, x]) => x === n)?.[0] ?? n, (text) => {
    let s = text;
    for (const [name, x] of entries) s = s.split(String(x)).join(name);
    return s;
  });
}

/** A deep copy of JSON-like `value` with every number and string passed through the given functions. */
export function mapLeaves<T>(value: T, onNumber: (n: number) => unknown, onString: (s: string) => unknown): T {
  const walk = (v: any): any => {
    if (typeof v === 'number') return onNumber(v);
    if (typeof v === 'string') return onString(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value);
}
