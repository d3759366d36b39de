// The check every loader makes of bytes said to be coze-auth's module before compiling them: the
// `\0asm` magic, and when it is missing, what arrived instead, named (a bundler's or dev server's
// HTML fallback page is the usual one). No imports: the Node loader's bundle includes it as it is.

/** What `bytes` are instead of a WebAssembly module, for the message; `undefined` when they are one. */
export function notWasm(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return undefined;
  if (bytes.length === 0) return 'an empty file';
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<')) return 'an HTML page (a server or dev server answered its fallback page)';
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON';
  if (/^(import|export|const|let|var|function|\/\/|\/\*|"use strict"|'use strict')/.test(head)) return 'JavaScript';
  if (/^[a-z0-9+/_-]{16,}/.test(head)) return 'text that looks like base64 (decode it first)';
  return `${bytes.length} bytes without the WebAssembly magic (\\0asm)`;
}
