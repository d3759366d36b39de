// The seam's contract, checked from three sides (see src/seam/mod.rs):
//   - Rust: every export with the keys its arguments and result have (the manifest, which the
//     test `seam::contract` writes from the same declarations that read the arguments);
//   - the built modules: the exports of pkg/browser and pkg/node's .wasm files;
//   - TypeScript: the `call(wasm.NAME, args, …)` calls of pkg-template/src/seam*.ts, with the
//     types the compiler gives their arguments and results.
// `contractProblems()` lists every disagreement; contract.test.mjs asserts there is none and
// that planted mismatches are found.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The Rust manifest: `{name: {builds, args: {path: required}, result: {path: required}}}`. */
export function rustManifest() {
  const out = `${root}target/seam-manifest.json`;
  execFileSync('cargo', ['test', '--quiet', '--lib', 'seam::contract'], {
    cwd: root,
    env: { ...process.env, COZE_SEAM_MANIFEST: out },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return JSON.parse(readFileSync(out, 'utf8'));
}

/** The operations a built module exports (wasm-bindgen's own exports left out). */
export function wasmExports(file) {
  const module = new WebAssembly.Module(readFileSync(file));
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function' && !/^__wbindgen|^__wbg/.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** `{path: required}` of an object type, nested objects flattened as `a.b`. */
function keysOf(checker, type, node, prefix = '', out = {}) {
  for (const prop of checker.getPropertiesOfType(type)) {
    const path = prefix ? `${prefix}.${prop.name}` : prop.name;
    out[path] = (prop.flags & ts.SymbolFlags.Optional) === 0;
    const propType = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(prop, node));
    const isPlainObject =
      propType.flags & ts.TypeFlags.Object &&
      !checker.isArrayType(propType) &&
      !checker.getIndexInfosOfType(propType).length &&
      checker.getPropertiesOfType(propType).length > 0;
    if (isPlainObject) keysOf(checker, propType, node, path, out);
  }
  return out;
}

/**
 * The calls of each seam file: `{file: {name: {args: {path: required}, result: {…}}}}`, from
 * every `call(wasm.NAME, args, …)` (or `call(node(wasm).NAME, …)`), typed by the compiler.
 */
export function typescriptCalls(files) {
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const calls = {};
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`TypeScript could not read ${file}`);
    const found = (calls[file] = {});
    const visit = (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'call' &&
        node.arguments.length >= 2 &&
        ts.isPropertyAccessExpression(node.arguments[0])
      ) {
        const name = node.arguments[0].name.text;
        const args = keysOf(checker, checker.getTypeAtLocation(node.arguments[1]), node);
        let fn = node.parent;
        while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
        const signature = fn && checker.getSignatureFromDeclaration(fn);
        const result = signature ? keysOf(checker, checker.getReturnTypeOfSignature(signature), node) : {};
        found[name] = { args, result };
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

/** Every disagreement between the three sides, as sentences. */
export function contractProblems({ manifest, browserExports, nodeExports, sharedCalls, nodeCalls }) {
  const problems = [];
  const sorted = (xs) => [...xs].sort();
  const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
  const rustBoth = Object.keys(manifest).filter((n) => manifest[n].builds === 'both');
  const rustAll = Object.keys(manifest);
  const tsShared = Object.keys(sharedCalls);
  const tsAll = [...tsShared, ...Object.keys(nodeCalls)];
  if (!same(browserExports, tsShared)) {
    problems.push(`the browser .wasm exports [${sorted(browserExports)}] but seam.ts calls [${sorted(tsShared)}]`);
  }
  if (!same(nodeExports, tsAll)) {
    problems.push(`the Node .wasm exports [${sorted(nodeExports)}] but seam.ts and seam-node.ts call [${sorted(tsAll)}]`);
  }
  if (!same(browserExports, rustBoth)) {
    problems.push(`the browser .wasm exports [${sorted(browserExports)}] but the Rust manifest lists [${sorted(rustBoth)}] for both builds`);
  }
  if (!same(nodeExports, rustAll)) {
    problems.push(`the Node .wasm exports [${sorted(nodeExports)}] but the Rust manifest lists [${sorted(rustAll)}]`);
  }
  for (const [name, ts] of Object.entries({ ...sharedCalls, ...nodeCalls })) {
    const rust = manifest[name];
    if (!rust) continue; // reported above
    for (const [path, required] of Object.entries(ts.args)) {
      if (!(path in rust.args)) problems.push(`${name}: the TypeScript sends \`${path}\`, which the Rust does not read`);
      else if (rust.args[path] && !required) problems.push(`${name}: \`${path}\` is required by the Rust but optional in the TypeScript`);
    }
    for (const [path, required] of Object.entries(rust.args)) {
      const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : undefined;
      const parentSent = parent === undefined || parent in ts.args;
      if (required && parentSent && !(path in ts.args)) problems.push(`${name}: the Rust requires \`${path}\`, which the TypeScript never sends`);
    }
    // An opaque result (JSON the core wrote elsewhere, or nothing) has no keys to compare.
    if (Object.keys(rust.result).length === 0) continue;
    for (const [path, required] of Object.entries(ts.result)) {
      if (!(path in rust.result)) problems.push(`${name}: the TypeScript reads \`${path}\` of the result, which the Rust never writes`);
      else if (required && !rust.result[path]) problems.push(`${name}: the TypeScript expects \`${path}\` in every result, but the Rust may leave it out`);
    }
  }
  return problems;
}

/** The three sides as they are in this checkout (the package built in pkg/). */
export function currentSides() {
  const seam = `${root}pkg-template/src/seam.ts`;
  const seamNode = `${root}pkg-template/src/seam-node.ts`;
  const calls = typescriptCalls([seam, seamNode]);
  return {
    manifest: rustManifest(),
    browserExports: wasmExports(`${root}pkg/browser/coze_auth_bg.wasm`),
    nodeExports: wasmExports(`${root}pkg/node/coze_auth_bg.wasm`),
    sharedCalls: calls[seam],
    nodeCalls: calls[seamNode],
  };
}
