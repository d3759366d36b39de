# Sourced by the scripts whose tests need a mock Coze in a separate process (the wasm-bindgen
# tests, the wasm32 consumer crate): `start_mock_coze` starts mock-coze/server.mjs on a free
# port, exports its URL as COZE_MOCK_URL, and stops it when the sourcing script exits.
start_mock_coze() {
  MOCK_LOG=$(mktemp)
  node mock-coze/server.mjs --port 0 >"$MOCK_LOG" 2>&1 &
  MOCK_PID=$!
  trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -f "$MOCK_LOG"' EXIT
  # The mock prints its URL on its first line.
  for _ in $(seq 100); do
    grep -q 'listening on' "$MOCK_LOG" && break
    kill -0 "$MOCK_PID" 2>/dev/null || { cat "$MOCK_LOG"; return 1; }
    sleep 0.1
  done
  COZE_MOCK_URL=$(sed -n 's/^mock-coze listening on //p' "$MOCK_LOG")
  [ -n "$COZE_MOCK_URL" ] || { echo "the mock Coze did not start"; cat "$MOCK_LOG"; return 1; }
  export COZE_MOCK_URL
  echo "mock Coze at $COZE_MOCK_URL"
}
