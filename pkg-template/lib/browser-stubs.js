// The browser build's stand-ins for the classes that exist only in Node. They keep one set of
// exports and types for both builds, and fail at construction with a clear error instead of a
// bundler's "export not found".

import { CozeAuthError } from './error.js';

function nodeOnly(name, why) {
  return class {
    constructor() {
      throw new CozeAuthError(`${name} is not available in a browser: ${why}`, { code: 'unsupported' });
    }
  };
}

/** Node only: a device-flow app has no browser (see the Node build). */
export const DeviceOAuthApp = nodeOnly(
  'DeviceOAuthApp',
  'the device code flow is for CLIs and devices without a browser; run it in Node (npx coze-auth login), or use PKCEOAuthApp in a page.',
);
