// The browser loader (pkg-template/src/wasm.ts) replaces wasm-bindgen's generated glue, so it
// must speak the ABI the glue speaks. This reads the glue wasm-bindgen generated for the browser
// build and fails unless every export is lowered exactly as the loader assumes: a string's UTF-8
// and a byte slice copied in through `__wbindgen_malloc`, a (pointer, length) UTF-8 result
// decoded and freed with `__wbindgen_free`, and one import, `__wbindgen_init_externref_table`.
//   node scripts/check-glue.mjs pkg/browser/coze_auth.js
import { readFileSync } from 'node:fs';

const glue = readFileSync(process.argv[2], 'utf8');
const problems = [];
const exports = [...glue.matchAll(/^export function (\w+)\((\w+), (\w+)\) \{\n([\s\S]*?)\n\}$/gm)];
if (exports.length === 0) problems.push('no exported operation found');
for (const [, name, args, bytes, body] of exports) {
  for (const line of [
    `ptr0 = passStringToWasm0(${args}, wasm.__wbindgen_malloc, wasm.__wbindgen_realloc);`,
    `ptr1 = passArray8ToWasm0(${bytes}, wasm.__wbindgen_malloc);`,
    `const ret = wasm.${name}(ptr0, len0, ptr1, len1);`,
    'return getStringFromWasm0(ret[0], ret[1]);',
    /wasm\.__wbindgen_free\((deferred\d+_0), (deferred\d+_1), 1\);/,
  ]) {
    if (typeof line === 'string' ? !body.includes(line) : !line.test(body)) problems.push(`${name} no longer has: ${line}`);
  }
}
const others = [...glue.matchAll(/^export function (\w+)/gm)].length - exports.length;
if (others) problems.push(`${others} export(s) with another shape than (args, bytes)`);
for (const line of [
  'const ptr = malloc(arg.length * 1, 1) >>> 0;',
  // passStringToWasm0 may also pass text in a block of its exact UTF-8 length (as the loader does)
  'const buf = cachedTextEncoder.encode(arg);',
  'const ptr = malloc(buf.length, 1) >>> 0;',
  'wasm.__wbindgen_start();',
  '"./coze_auth_bg.js": import0,',
  'table.set(1027, false);',
]) {
  if (!glue.includes(line)) problems.push(`the glue no longer has: ${line}`);
}
if ((glue.match(/^ *(__wbindgen|__wbg)[a-z_0-9]*: function/gm) ?? []).length !== 1) {
  problems.push('the glue imports more than __wbindgen_init_externref_table');
}
if (problems.length) {
  console.error(`[build] ${process.argv[2]}: wasm-bindgen's ABI changed; update pkg-template/src/wasm.ts:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`[build] the browser loader's ABI matches wasm-bindgen's glue (${exports.length} exports)`);
