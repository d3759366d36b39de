// Base64 that runs everywhere: Node's Buffer where there is one (Node, Bun, Deno; Node's atob and
// btoa are several times slower, and a JWT's signature is encoded on every mint), else the native
// `Uint8Array.fromBase64` where it exists (not in Node 20–24), else atob/btoa (edge runtimes,
// pages).

type Alphabet = 'base64' | 'base64url';
interface BufferLike {
  from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & { toString(encoding: string): string };
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

interface NativeBase64 {
  fromBase64?(text: string, options: { alphabet: Alphabet }): Uint8Array<ArrayBuffer>;
}

/** The bytes of `text` (padding optional). */
export function fromBase64(text: string, alphabet: Alphabet = 'base64'): Uint8Array<ArrayBuffer> {
  if (NodeBuffer) {
    const b = NodeBuffer.from(text, alphabet);
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  const native = Uint8Array as unknown as NativeBase64;
  if (typeof native.fromBase64 === 'function') return native.fromBase64(text, { alphabet });
  const standard = alphabet === 'base64url' ? text.replace(/-/g, '+').replace(/_/g, '/') : text;
  const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `bytes` as unpadded base64url. */
export function toBase64Url(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
