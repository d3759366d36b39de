// The seam's contract (tests/package/seam/contract.mjs): the Rust declarations, the built modules'
// exports and the TypeScript's calls agree, and a planted mismatch of each kind is found.
// Needs the package built (npm run build) and cargo.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { contractProblems, currentSides, typescriptCalls } from './contract.mjs';

const sides = currentSides();

test('the Rust exports, the built modules and the TypeScript calls agree', () => {
  assert.deepEqual(contractProblems(sides), []);
  assert.equal(sides.browserExports.length, 8);
  assert.equal(sides.nodeExports.length, 26);
  assert.ok(sides.sharedCalls.pkceExchangeRequest.args['app.clientId']);
});

test('a planted mismatch in the TypeScript is found, whatever its kind', () => {
  const planted = fileURLToPath(new URL('planted/seam.ts', import.meta.url));
  const calls = typescriptCalls([planted])[planted];
  const problems = contractProblems({ ...sides, sharedCalls: calls, nodeCalls: {} });
  const expect = [
    /browser \.wasm exports .* but seam\.ts calls/,
    /pkceCheckApp: the TypeScript sends `app\.baseUrl`, which the Rust does not read/,
    /pkceExchangeRequest: the Rust requires `codeVerifier`, which the TypeScript never sends/,
    /readTokenResponse: the TypeScript reads `scope` of the result, which the Rust never writes/,
  ];
  for (const pattern of expect) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} not in:\n${problems.join('\n')}`);
});

test('a planted mismatch in the Rust manifest or a built module is found', () => {
  const manifest = structuredClone(sides.manifest);
  manifest.takePendingLogin.args.nowMs = true; // a key the TypeScript does not send
  delete manifest.takePendingLogin.args.now;
  manifest.readTokenResponse.result.refresh_token = true; // always written, the TypeScript says maybe
  let problems = contractProblems({ ...sides, manifest });
  assert.ok(problems.some((p) => /takePendingLogin: the Rust requires `nowMs`/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /takePendingLogin: the TypeScript sends `now`, which the Rust does not read/.test(p)), problems.join('\n'));
  problems = contractProblems({ ...sides, nodeExports: sides.nodeExports.filter((n) => n !== 'jwtPlan') });
  assert.ok(problems.some((p) => /the Node \.wasm exports .* but seam\.ts and seam-node\.ts call/.test(p)), problems.join('\n'));
  problems = contractProblems({ ...sides, browserExports: [...sides.browserExports, 'jwtPlan'] });
  assert.ok(problems.some((p) => /the browser \.wasm exports .* but the Rust manifest lists/.test(p)), problems.join('\n'));
});
