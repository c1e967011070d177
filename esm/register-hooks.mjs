// Loader hooks installed by iocp-net/register: resolve 'net' / 'node:net'
// imported from userland to iocp-net's ESM entry.
let packageURL = '';
let netURL = '';

export function initialize(data) {
  packageURL = data.packageURL;
  netURL = data.netURL;
}

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === 'net' || specifier === 'node:net') &&
      !(context.parentURL ?? '').startsWith(packageURL)) {
    return { url: netURL, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
