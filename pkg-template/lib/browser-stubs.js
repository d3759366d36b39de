// The browser build's stand-ins for what exists only in Node. They keep one set of exports and
// types for both builds, and fail at construction (or call) with a clear error instead of a
// bundler's "export not found". Messages are short: every byte here ships to every page.

import { CozeAuthError } from './error.js';

const unsupported = (name, why) => new CozeAuthError(`${name} is not available in a browser: ${why}`, { code: 'unsupported' });

function nodeOnly(name, why) {
  return class {
    constructor() {
      throw unsupported(name, why);
    }
  };
}

const secret = (what) => `it needs the app's ${what}: run it in Node.`;

/** Node only: a device-flow app has no browser (see the Node build). */
export const DeviceOAuthApp = nodeOnly(
  'DeviceOAuthApp',
  'the device code flow is for CLIs and devices without a browser; run it in Node (npx coze-auth login), or use PKCEOAuthApp in a page.',
);

/** Node only: the JWT flow holds the app's private key. */
export const OAuthJWTFlow = nodeOnly('OAuthJWTFlow', secret('private key'));

/** Node only: a web app holds its client secret. */
export const WebOAuthApp = nodeOnly('WebOAuthApp', secret('client secret'));

/** Node only: the scope is for OAuthJWTFlow. */
export const botChatScope = () => {
  throw unsupported('botChatScope', secret('private key'));
};

/** Node only: an app config usually holds a secret or a key; a page constructs PKCEOAuthApp. */
export const loadOAuthApp = () => {
  throw unsupported('loadOAuthApp', secret('secret or private key'));
};
