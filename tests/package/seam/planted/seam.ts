// A seam with planted mistakes, for tests/package/seam/contract.test.mjs to prove the contract check
// finds them: a misspelt key, a missing required key, a key the Rust never writes, and an
// export the module does not have.
type Export = (args: string, bytes: Uint8Array) => string;
interface Wasm {
  pkceCheckApp: Export;
  pkceExchangeRequest: Export;
  readTokenResponse: Export;
  pkceLogout: Export;
}
declare function call<Result>(operation: Export, args: object, bytes?: Uint8Array): Result;

interface App {
  clientId: string;
  baseUrl?: string; // misspelt: the Rust reads baseURL
}

export const pkceCheckApp = (wasm: Wasm, args: { app: App }): Record<string, never> => call(wasm.pkceCheckApp, args);

// codeVerifier is left out, though the Rust requires it.
export const pkceExchangeRequest = (wasm: Wasm, args: { app: App; code: string; redirectUri: string }): { url: string } =>
  call(wasm.pkceExchangeRequest, args);

// The result's `scope` is never written by the Rust.
export const readTokenResponse = (
  wasm: Wasm,
  args: { response: { status: number }; now: number },
  body: Uint8Array,
): { access_token: string; scope: string } => call(wasm.readTokenResponse, args, body);

// No such export.
export const pkceLogout = (wasm: Wasm, args: { app: App }): Record<string, never> => call(wasm.pkceLogout, args);
