// The browser build's stand-ins for what exists only on servers (the Node and edge builds). They keep one set of exports and
// types for both builds (typed as the real ones, which are imported for their types only, so
// none of their code ships), and fail at construction (or call) with a clear error instead of a
// bundler's "export not found". Messages are short: every byte here ships to every page.

import { CozeAuthError } from './error.js';
import type { loadOAuthApp as LoadOAuthApp } from './config.js';
import type { DeviceOAuthApp as Device } from './device.js';
import type { botChatScope as BotChatScope, OAuthJWTFlow as JwtFlow } from './jwt.js';
import type { WebOAuthApp as Web } from './web.js';

const unsupported = (name: string, why: string) => new CozeAuthError(`${name} is not available in a browser: ${why}`, { code: 'unsupported' });

function nodeOnly<T>(name: string, why: string): T {
  return class {
    constructor() {
      throw unsupported(name, why);
    }
  } as unknown as T;
}

const secret = (what: string) => `it needs the app's ${what}: run it on a server (Node, Bun, Deno, Workers).`;

/** Node only: a device-flow app has no browser (see the Node build). */
export const DeviceOAuthApp = nodeOnly<typeof Device>(
  'DeviceOAuthApp',
  'the device code flow is for CLIs and devices without a browser; run it in Node (npx coze-auth login), or use PKCEOAuthApp in a page.',
);

/** Node only: the JWT flow holds the app's private key. */
export const OAuthJWTFlow = nodeOnly<typeof JwtFlow>('OAuthJWTFlow', secret('private key'));

/** Node only: a web app holds its client secret. */
export const WebOAuthApp = nodeOnly<typeof Web>('WebOAuthApp', secret('client secret'));

/** Node only: the scope is for OAuthJWTFlow. */
export const botChatScope: typeof BotChatScope = () => {
  throw unsupported('botChatScope', secret('private key'));
};

/** Node only: an app config usually holds a secret or a key; a page constructs PKCEOAuthApp. */
export const loadOAuthApp: typeof LoadOAuthApp = () => {
  throw unsupported('loadOAuthApp', secret('secret or private key'));
};
