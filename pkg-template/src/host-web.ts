// What OAuthJWTFlow needs of its host, for the edge build (Workers, Vercel Edge): WebCrypto
// signing and no files. The Node build uses host.ts instead (scripts/bundle.mjs swaps the
// module per build, as it swaps the loader); both export the same names.

import { CozeAuthError } from './error.js';

/** Signs a JWT's signing input (RS256). */
export type Signer = (data: Uint8Array<ArrayBuffer>) => Uint8Array | Promise<Uint8Array>;

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/**
 * A WebCrypto RS256 signer for the PKCS#8 DER key. A key it refuses is `invalid_key`, with
 * `refused` as the message (no cause kept: it might echo key bytes).
 */
export function webCryptoSigner(der: Uint8Array<ArrayBuffer>, refused: string): Promise<Signer> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return Promise.reject(new CozeAuthError('crypto.subtle is not available here: OAuthJWTFlow needs WebCrypto to sign.', { code: 'unsupported' }));
  return subtle.importKey('pkcs8', der, RS256, false, ['sign']).then(
    (key) => async (data: Uint8Array<ArrayBuffer>) => new Uint8Array(await subtle.sign(RS256, key, data)),
    () => {
      throw new CozeAuthError(refused, { code: 'invalid_key' });
    },
  );
}

/** The signing function for the key, made once per flow: WebCrypto here. */
export const makeSigner = (der: Uint8Array<ArrayBuffer>): Promise<Signer> =>
  webCryptoSigner(der, 'The private key cannot be used: WebCrypto refused it (its RSA numbers are probably inconsistent). Download a new key pair from the Coze console.');

/** No files on this runtime: an app config is passed as its JSON text or object. */
export function readTextFile(_path: string): string {
  throw new CozeAuthError('loadOAuthApp was given a path, but this runtime has no files: pass the config as JSON text or an object.', { code: 'unsupported' });
}

/** No files on this runtime: the key is passed as the `privateKey` option (or a binding). */
export function readKeyFile(variable: string, _path: string): string {
  throw new CozeAuthError(`${variable} names a key file, but this runtime has no files: pass the key as the privateKey option.`, { code: 'unsupported' });
}
