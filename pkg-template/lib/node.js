// The package's entry for Node: the browser flows, plus those that hold a secret and so must
// never ship to a page.

export * from './index.js';
