#!/usr/bin/env bash
# Part of scripts/pack-check.sh: in a throwaway project that installed the packed tarball (the argument), a plain
# JavaScript handler written there runs on the installed `recording-twin --serve`, and the installed
# `recording-workflow` CLI operates it: it finds the live call, pauses its recording (the decision comes back from
# the workflow), and once the call is over audits the run: RECORDED, with the pause.
#   bash scripts/pack-check-twin.sh DIR
set -euo pipefail
cd "$1"

cat >menu-handler.js <<'JS'
// An existing SMA application (a key-press menu), with recording added in one line.
const { withRecording } = require('dependable-call-recording/middleware');

const say = (callId, text) => ({ Type: 'Speak', Parameters: { CallId: callId, Text: text, Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna' } });
const listen = (callId) => ({ Type: 'ReceiveDigits', Parameters: { CallId: callId, InputDigitsRegex: '^[0-9]$', InBetweenDigitsDurationInMilliseconds: 1000, FlushDigitsDurationInMilliseconds: 10000 } });

async function menu(event) {
  const caller = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  const answer = (...Actions) => ({ SchemaVersion: '1.0', Actions });
  switch (event.InvocationEventType) {
    case 'NEW_INBOUND_CALL':
    case 'ACTION_INTERRUPTED': // the recording's turn is over: listen again
      return answer(listen(caller.CallId));
    case 'DIGITS_RECEIVED':
      return answer(say(caller.CallId, event.ActionData.ReceivedDigits === '1' ? 'Sales, please hold.' : 'Goodbye.'));
    default:
      return answer();
  }
}

exports.handler = withRecording(menu);
JS
cat >menu-calls.json <<'JSON'
{ "calls": [ { "name": "sales", "to": "+15550100500", "legs": 1, "durationSeconds": 300, "digits": [{ "atSeconds": 4, "digits": "1" }], "expect": { "outcome": "RECORDED" } } ] }
JSON

cli() { ./node_modules/.bin/recording-workflow --local "$@"; }
# At most 20 call seconds per second: the 5-minute call stays live for about 15 s, time for the CLI to reach it.
./node_modules/.bin/recording-twin --handler ./menu-handler.js --scenario menu-calls.json --serve --speed 20 --no-export \
  >twin.out 2>twin.err &
twin=$!
stop() { kill -INT "$twin" 2>/dev/null || true; wait "$twin" 2>/dev/null || true; }
fail() { echo "pack-check-twin: $*" >&2; echo "--- twin stderr" >&2; tail -20 twin.err >&2; stop; exit 1; }
trap stop EXIT

for _ in $(seq 1 100); do [ -f .data/twin/endpoints.json ] && break; sleep 0.2; done
[ -f .data/twin/endpoints.json ] || fail "no .data/twin/endpoints.json 20 s after start"

# The live call: the one RUNNING execution, once it follows the call (WaitForCallEnd: recording).
tx=''
for _ in $(seq 1 60); do
  tx="$(cli audit --outcome RUNNING --json | node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(d.calls[0]?.transactionId ?? "")')"
  if [ -n "$tx" ] && cli status "$tx" --json | grep -q '"currentState": "WaitForCallEnd"'; then break; fi
  tx=''
  sleep 0.3
done
[ -n "$tx" ] || fail "no live call in WaitForCallEnd"
paused="$(cli pause "$tx" --by pack-check)" || fail "pause exited $?: $paused"
grep -q '^PAUSE applied at ' <<<"$paused" || fail "pause did not apply: $paused"
echo "pack-check-twin: $paused"

for _ in $(seq 1 300); do grep -q '^twin serving' twin.err && break; sleep 0.2; done
grep -q '^twin serving' twin.err || fail "the run did not finish within 60 s"
grep -q '^1 passed, 0 failed' twin.out || fail "the call did not meet its expectation: $(cat twin.out)"
audit="$(cli audit --json)"
node -e 'const d = JSON.parse(process.argv[1]); const c = d.calls[0]; if (d.calls.length !== 1 || c.outcome !== "RECORDED" || c.pauses !== 1) throw new Error("audit: " + JSON.stringify(d.calls))' "$audit" ||
  fail "audit: not one RECORDED call with one pause"
cli audit
echo "pack-check-twin: $tx RECORDED, paused once"
