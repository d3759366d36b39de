// WebAssembly memory and JS heap stay flat while 100,000 app objects of each class are created
// and dropped (memory-probe.mjs, in a child process so it can wrap WebAssembly.Instance first
// and run with --expose-gc). The module is stateless: each call frees what it allocated, and
// app objects are plain JS objects, so nothing needs a FinalizationRegistry. Figures go to
// target/memory.json for README.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

test('100,000 app objects of each class: wasm memory does not grow, the heap stays flat', { timeout: 180_000 }, () => {
  const probe = fileURLToPath(new URL('memory-probe.mjs', import.meta.url))
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe, '100000'], { encoding: 'utf8' }))
  assert.equal(out.instances, 1, 'one module instance for the whole process')
  for (const [kind, m] of Object.entries(out.kinds)) {
    assert.ok(m.wasmBefore > 0, `${kind}: the module's memory was found`)
    assert.equal(m.wasmAfter, m.wasmBefore, `${kind}: wasm memory grew from ${m.wasmBefore} to ${m.wasmAfter} bytes`)
    assert.ok(m.heapAfter - m.heapBefore < 4 * 1024 * 1024, `${kind}: heap grew by ${m.heapAfter - m.heapBefore} bytes`)
  }
  mkdirSync(new URL('../../../target/', import.meta.url), { recursive: true })
  writeFileSync(new URL('../../../target/memory.json', import.meta.url), JSON.stringify(out, null, 1))
})
