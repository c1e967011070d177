// Loader hooks installed by iocp-net/register: resolve 'net' / 'node:net'
// imported from userland to iocp-net's ESM entry.
let internalURLs = [];
let netURL = '';

export function initialize(data) {
  internalURLs = data.internalURLs;
  netURL = data.netURL;
}

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === 'net' || specifier === 'node:net') &&
      !internalURLs.some((url) => (context.parentURL ?? '').startsWith(url))) {
    return { url: netURL, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
