#!/usr/bin/env bash
# The main job: builds the npm package and serves the www/ PKCE login page on
# http://localhost:8080 against a local mock Coze on 127.0.0.1:8081, or against real Coze when
# COZE_PKCE_OAUTH_CLIENT_ID (and COZE_REGION=cn|com or COZE_API_BASE) are set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node scripts/demo.mjs "$@"
