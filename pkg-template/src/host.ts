// What OAuthJWTFlow needs of its host, for the Node build (also Bun and Deno): node:crypto
// signing (a KeyObject signs RS256 about 1.5× faster than crypto.subtle: 0.27 against 0.42 ms,
// and the signature is the same, RS256 being deterministic), WebCrypto where Node refuses the
// key, and the key file. The edge build uses host-web.ts instead; both export the same names.

import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CozeAuthError } from './error.js';
import { denied } from './deno.js';
import { type Signer, webCryptoSigner } from './host-web.js';

export type { Signer };

/**
 * The signing function for the PKCS#8 DER key, made once per flow. Where node:crypto cannot take
 * the key, WebCrypto is asked; a key neither takes is `invalid_key`.
 */
export function makeSigner(der: Uint8Array<ArrayBuffer>): Promise<Signer> {
  try {
    const key = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
    return Promise.resolve((data: Uint8Array<ArrayBuffer>) => sign('sha256', data, key));
  } catch {
    return webCryptoSigner(der, 'The private key cannot be used: Node refused it (its RSA numbers are probably inconsistent). Download a new key pair from the Coze console.');
  }
}

/** A UTF-8 text file (an app config given by its path); its errors are the file system's. */
export function readTextFile(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The PEM file that `variable` names (its path is in the message; the key never is). */
export function readKeyFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw (
      denied(e, '--allow-read', `reading the private key file that ${variable} names (${path})`, 'pass the privateKey option') ??
      new CozeAuthError(`Could not read the private key file that ${variable} names (${path}): ${(e as { code?: string } | undefined)?.code ?? 'unreadable'}.`)
    );
  }
}
