#!/usr/bin/env bash
# Measures webhook intake of the real binary with wrk (a C load generator,
# lighter than a Go client) on loopback: signed calls, verified, committed
# and answered. The flow's target is unreachable, so after a few failed
# writes it is marked down and the workers leave the inbox alone: what is
# measured is the intake.
#
# Usage: scripts/bench-webhooks.sh [SECONDS] [CONNECTIONS]   (needs wrk, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_=${1:-15}
CONNS=${2:-32}
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

CGO_ENABLED=0 go build -o "$WORK/switchboard" .
ADDR=127.0.0.1:$((20000 + RANDOM % 10000))
(cd "$WORK" && ./switchboard superuser upsert root@example.com 'Passw0rd!123' >/dev/null)
# The flow's webhook rate limit is lifted: wrk floods one flow on purpose.
(cd "$WORK" && SWITCHBOARD_WEBHOOK_RATE=1000000000 exec ./switchboard serve --http "$ADDR" </dev/null >"$WORK/serve.log" 2>&1) &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://$ADDR/api/health" >/dev/null && break; sleep 0.1; done

api() { curl -fsS -X "$1" "http://$ADDR$2" -H "Authorization: $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
TOKEN=$(curl -fsS -X POST "http://$ADDR/api/collections/_superusers/auth-with-password" -H 'Content-Type: application/json' \
	-d '{"identity":"root@example.com","password":"Passw0rd!123"}' | field token)
SRC=$(api POST /api/collections/connections/records '{"name":"Shop","connector":"http","config":{"base_url":"http://127.0.0.1:1"}}' | field id)
DST=$(api POST /api/collections/connections/records '{"name":"ERP","connector":"http","config":{"base_url":"http://127.0.0.1:1"}}' | field id)
INT=$(api POST /api/collections/integrations/records "{\"name\":\"bench\",\"a\":\"$SRC\",\"b\":\"$DST\",\"enabled\":true}" | field id)
FLOW=$(api POST /api/collections/flows/records "{\"integration\":\"$INT\",\"name\":\"orders\",\"entity\":\"order\",\"source\":\"$SRC\",\"target\":\"$DST\",\"enabled\":true,\"webhook\":true,\"schedule\":\"\"}" | field id)
SECRET=$(api GET "/api/switchboard/flows/$FLOW/webhook" | field secret)

python3 - "$SECRET" "$WORK/requests.tsv" <<'PY'
import hashlib, hmac, sys
secret, out = sys.argv[1].encode(), sys.argv[2]
with open(out, "w") as f:
    for i in range(100000):
        body = '{"entity":"order","records":[{"id":"o%d","number":"%d","total":"19.95"}]}' % (i, 100000 + i)
        f.write("%s\t%s\n" % (hmac.new(secret, body.encode(), hashlib.sha256).hexdigest(), body))
PY
cat >"$WORK/requests.lua" <<LUA
-- Each thread sends its own share of the signed bodies, so that no call
-- is a redelivery of another.
local threads = 0
setup = function(thread)
  thread:set("first", threads)
  threads = threads + 1
end
local bodies, sigs, n = {}, {}, 0
init = function()
  local i = 0
  for line in io.lines("$WORK/requests.tsv") do
    if i % 2 == first then
      local sig, body = line:match("^(%x+)\t(.*)$")
      sigs[#sigs + 1], bodies[#bodies + 1] = sig, body
    end
    i = i + 1
  end
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n % #bodies + 1
  wrk.headers["X-Signature-Sha256"] = sigs[n]
  return wrk.format(nil, nil, nil, bodies[n])
end
LUA
wrk -t2 -c"$CONNS" -d"${SECONDS_}s" -s "$WORK/requests.lua" "http://$ADDR/hooks/$FLOW"
echo "transactions stored: $(api GET "/api/collections/transactions/records?perPage=1" | field totalItems)"
