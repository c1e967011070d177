// `node -r iocp-net/register app.js` or `node --import iocp-net/register app.mjs`:
// makes userland `require('net')`, `require('node:net')`, `import 'net'`,
// `import 'node:net'` and `process.getBuiltinModule('net')` return iocp-net. Node's own modules (http, tls...) keep
// their internal reference to node:net; this package itself also keeps node's.
import * as path from 'path';
import { pathToFileURL } from 'url';
import Module = require('module');

const packageDir = path.resolve(__dirname, '..') + path.sep;
const netEntry = path.join(__dirname, 'net.js');
// The package's own compiled code (dist/, esm/) needs node's net underneath;
// everything else, tests and -e scripts in the package folder included, is userland.
const internalDirs = [path.join(packageDir, 'dist') + path.sep, path.join(packageDir, 'esm') + path.sep];

function isNetSpecifier(request: unknown): boolean {
  return request === 'net' || request === 'node:net';
}

function isInsidePackage(filename: string | undefined | null): boolean {
  return typeof filename === 'string' && internalDirs.some((dir) => filename.startsWith(dir));
}

const moduleInternals = Module as unknown as {
  _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown;
  __iocpNetRegistered?: boolean;
};

if (!moduleInternals.__iocpNetRegistered) {
  moduleInternals.__iocpNetRegistered = true;
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function load(request, parent, isMain) {
    if (isNetSpecifier(request) && !isInsidePackage(parent?.filename)) {
      return originalLoad.call(this, netEntry, parent, isMain);
    }
    return originalLoad.call(this, request, parent, isMain);
  };

  // process.getBuiltinModule (node >= 20.16) names no caller; the package's
  // own code never calls it, so every caller is userland.
  const nodeGetBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof nodeGetBuiltinModule === 'function') {
    Object.defineProperty(process, 'getBuiltinModule', {
      ...Object.getOwnPropertyDescriptor(process, 'getBuiltinModule'),
      value: function getBuiltinModule(id: string): unknown {
        return isNetSpecifier(id) ? require(netEntry) : nodeGetBuiltinModule.call(process, id);
      },
    });
    // `import { getBuiltinModule } from 'node:process'` sees the new function too.
    Module.syncBuiltinESMExports();
  }

  // ESM: a resolve hook on the loader thread (module.register, node >= 20.6).
  const register = (Module as unknown as { register?: Function }).register;
  if (typeof register === 'function') {
    register(pathToFileURL(path.join(packageDir, 'esm', 'register-hooks.mjs')).href, {
      data: {
        internalURLs: internalDirs.map((dir) => pathToFileURL(dir).href),
        netURL: pathToFileURL(path.join(packageDir, 'esm', 'net.mjs')).href,
      },
    });
  }
}
