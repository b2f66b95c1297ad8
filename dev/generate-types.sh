#!/usr/bin/env bash
# Regenerates each Worker's typed Env with `wrangler types` (run after changing a wrangler.toml).
# Secrets are typed from each config's [secrets] required list, never from a local .dev.vars.
set -euo pipefail
cd "$(dirname "$0")/.."
generate() { npx wrangler types -c "$1" "$2" --include-runtime=false >/dev/null 2>&1; }
generate wrangler.toml functions/edge/worker-configuration.d.ts
for worker in gateway cache guardrail fanout; do
  generate "functions/$worker/wrangler.toml" "functions/$worker/worker-configuration.d.ts"
done
echo "types written to functions/*/worker-configuration.d.ts"
