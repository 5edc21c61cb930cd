#!/usr/bin/env bash
# Proves the package works for someone who only has the tarball: `npm pack` (prepack compiles dist/), then a
# throwaway project made from examples/existing-sma-stack installs the tarball and its peer dependencies,
# type-checks a CDK app using the construct and a handler importing the middleware and workflow exports,
# synthesizes the app (existing SMA by ARN, existing function), and bundles the handler with esbuild.
#
# Installs use --prefer-offline: the packages come from the npm cache that this repo's `npm ci` filled, and
# only what is missing is fetched from the registry.
#   bash scripts/pack-check.sh            (npm run pack-check)
#   KEEP=1 bash scripts/pack-check.sh     keeps the temp project and prints its path
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pack-check.XXXXXX")"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "pack-check: kept $WORK"; fi; }
trap cleanup EXIT
started=$(date +%s)
step() { echo "pack-check [$(($(date +%s) - started)) s] $*"; }

step "npm pack"
TARBALL="$WORK/$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -n 1)"
# What the tarball must hold: compiled JS + declarations of every export, and the ASL file.
listing="$(tar -tzf "$TARBALL")"
for f in dist/lambdas/middleware.js dist/lambdas/middleware.d.ts dist/infra/construct/index.js dist/infra/construct/index.d.ts \
  dist/statemachines/index.js dist/statemachines/index.d.ts dist/statemachines/recording-workflow.asl.json; do
  grep -qx "package/$f" <<<"$listing" || { echo "pack-check: $f missing from $(basename "$TARBALL")" >&2; exit 1; }
done
if grep -q '^package/\(test\|local\|cli\|bench\)/' <<<"$listing"; then echo "pack-check: the tarball ships test/local/cli/bench files" >&2; exit 1; fi
for f in bin/recording-workflow.js bin/recording-twin.js dist/bin/recording-workflow.js dist/bin/recording-twin.js dist/bin/recording-workflow.asl.json dist/bin/web/app.js dist/bin/THIRD-PARTY-LICENSES.txt LICENSE CHANGELOG.md; do
  grep -qx "package/$f" <<<"$listing" || { echo "pack-check: $f missing from $(basename "$TARBALL")" >&2; exit 1; }
done

step "throwaway project from examples/existing-sma-stack"
cp -R "$ROOT/examples/existing-sma-stack" "$WORK/app"
cd "$WORK/app"
npm install --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error "$TARBALL"

step "type-check (tsc): the CDK app (CommonJS, compiled) and the handler (bundler resolution)"
npx --no-install tsc -p tsconfig.json
npx --no-install tsc -p tsconfig.handler.json

step "synthesize"
CDK_OUTDIR="$WORK/app/cdk.out" node dist/app.js
template="$WORK/app/cdk.out/IvrRecording.template.json"
node -e '
  const t = require(process.argv[1]);
  const types = Object.values(t.Resources).map((r) => r.Type);
  for (const need of ["AWS::StepFunctions::StateMachine", "AWS::S3::Bucket", "AWS::CloudWatch::Dashboard"]) if (!types.includes(need)) throw new Error("synthesized template lacks " + need);
  if (types.includes("AWS::Chime::SipMediaApplication") || types.includes("AWS::Lambda::Function")) throw new Error("the construct must not create an SMA or a function");
  console.log("pack-check: template has " + types.length + " resources");
' "$template"

step "bundle the handler (as NodejsFunction would)"
npx --no-install esbuild handler.ts --bundle --platform=node --format=cjs --target=node20 --outfile="$WORK/handler.bundle.js" --log-level=warning
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node -e 'const m = require(process.argv[1]); if (typeof m.handler !== "function") throw new Error("bundled handler does not export handler")' "$WORK/handler.bundle.js"

step "recording-twin: the bundled handler above as the SMA's Lambda"
cat >"$WORK/app/calls.json" <<'JSON'
{ "calls": [ { "name": "menu", "to": "+15550100400", "legs": 1, "durationSeconds": 60, "expect": { "outcome": "RECORDED" } } ] }
JSON
./node_modules/.bin/recording-twin --handler "$WORK/handler.bundle.js" --scenario calls.json --json --no-export --seed 1 >"$WORK/bundled.json"
node -e 'const d = require(process.argv[1]); if (d.failed !== 0 || d.calls[0].outcome !== "RECORDED") throw new Error("bundled handler: " + JSON.stringify(d.calls))' "$WORK/bundled.json"

step "recording-twin: an ES module handler, its export named"
cat >"$WORK/app/esm-handler.mjs" <<'JS'
import { withRecording } from 'dependable-call-recording/middleware';
const hold = { Type: 'Pause', Parameters: { DurationInMilliseconds: 1000 } };
export const onCall = withRecording(async (event) => ({ SchemaVersion: '1.0', Actions: event.InvocationEventType === 'NEW_INBOUND_CALL' ? [hold] : [] }));
JS
./node_modules/.bin/recording-twin --handler ./esm-handler.mjs#onCall --scenario calls.json --json --no-export >"$WORK/esm.json"
node -e 'const d = require(process.argv[1]); if (d.failed !== 0 || d.calls[0].outcome !== "RECORDED") throw new Error("ES module handler: " + JSON.stringify(d.calls))' "$WORK/esm.json"

step "recording-twin --serve: a plain JS handler written here, a live call paused with the CLI, then audited"
bash "$ROOT/scripts/pack-check-twin.sh" "$WORK/app"

step "ok ($(basename "$TARBALL"), $(du -k "$TARBALL" | cut -f1) KB)"
