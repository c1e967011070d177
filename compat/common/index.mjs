// ESM view of compat/common/index.js for ported .mjs tests.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const common = require('./index.js');

export const {
  defaultAutoSelectFamilyAttemptTimeout,
  expectsError,
  expectWarning,
  getArrayBufferViews,
  invalidArgTypeHelper,
  isAIX,
  isFreeBSD,
  isIBMi,
  isLinux,
  isOpenBSD,
  isOSX,
  isSunOS,
  isWindows,
  mustCall,
  mustCallAtLeast,
  mustNotCall,
  mustNotMutateObjectDeep,
  mustSucceed,
  PIPE,
  platformTimeout,
  printSkipMessage,
  skip,
  tmpdir,
  hasIPv6,
  localhostIPv4,
} = common;

// PORT is read lazily in the CommonJS module; keep it a getter-like export.
export const PORT = common.PORT;

export default common;
