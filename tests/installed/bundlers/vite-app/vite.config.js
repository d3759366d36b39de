// Exactly what the package README tells Vite users: keep the dev server from pre-bundling
// coze-auth into node_modules/.vite/deps/, where its .wasm is not. `vite build` needs nothing.
export default { optimizeDeps: { exclude: ['coze-auth'] } }
