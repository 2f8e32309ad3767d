#!/usr/bin/env bash
# The demo: a county server on SQLite plus a kiosk enrolled to it, all under var/demo/.
#   scripts/demo.sh              set up, start the server, open the touchscreen kiosk
#   scripts/demo.sh --headless   the same journey on the command line (no screen needed)
# With no screen (no $DISPLAY or $WAYLAND_DISPLAY) it runs --headless by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate

HEADLESS=0
[ "${1:-}" = "--headless" ] && HEADLESS=1
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then HEADLESS=1; fi

DEMO=var/demo
COUNTY=$DEMO/county
KIOSK=$DEMO/kiosk
PORT=${YIZHAN_DEMO_PORT:-8765}
URL=http://127.0.0.1:$PORT
export YIZHAN_STAFF_PASSPHRASE=${YIZHAN_STAFF_PASSPHRASE:-demo-staff-passphrase}
mkdir -p "$DEMO"

if [ ! -f "$COUNTY/county-public.json" ]; then
    echo "== county server: init (曾都区 demo county) in $COUNTY"
    # A demo on a throwaway folder: the county keys are stored unencrypted, on purpose.
    yizhan-server init --county "曾都区（演示）" --no-passphrase --data "$COUNTY"
fi

echo "== county server: serving $URL (log: $DEMO/server.log)"
yizhan-server serve --data "$COUNTY" --host 127.0.0.1 --port "$PORT" >"$DEMO/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    if python -c "import httpx,sys; sys.exit(httpx.get('$URL/v1/health').status_code != 200)" \
        2>/dev/null; then break; fi
    if ! kill -0 $SERVER_PID 2>/dev/null; then cat "$DEMO/server.log"; exit 1; fi
    sleep 0.2
done

if [ ! -f "$KIOSK/kiosk.db" ]; then
    echo "== kiosk: init station DEMO01 in $KIOSK (staff passphrase: \$YIZHAN_STAFF_PASSPHRASE)"
    yizhan-kiosk init --station DEMO01 --data "$KIOSK"
    TOKEN=$(yizhan-server enroll-token --station DEMO01 --data "$COUNTY" --json \
            | python -c "import json,sys; print(json.load(sys.stdin)['token'])")
    echo "== kiosk: enroll with a one-time token"
    yizhan-kiosk enroll --server "$URL" --token="$TOKEN" --data "$KIOSK"
fi

if [ "$HEADLESS" = 0 ]; then
    echo "== kiosk: opening the touchscreen app (close the window to stop the demo)"
    echo "   staff mode PIN/passphrase: $YIZHAN_STAFF_PASSPHRASE"
    yizhan-kiosk run --data "$KIOSK"
    exit 0
fi

echo "== no screen here: the worker's journey on the command line"
SAMPLE=$(cat <<'JSON'
{"matter_type": "wage_arrears",
 "claimant": {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000"},
 "employer": {"name": "某某建筑劳务有限公司", "uscc": "91350100M000100Y43"},
 "amount_claimed_fen": 1250000, "period": {"start": "2026-03-01", "end": "2026-08-31"},
 "coworkers_affected": 12, "description": "三月至八月工资未发放。",
 "preferred_handling": "mediation", "consent": true}
JSON
)
RECEIPT=$(echo "$SAMPLE" | yizhan-kiosk submit complaint --json - --data "$KIOSK" \
          --qr-png "$DEMO/receipt-qr.png")
CODE=$(echo "$RECEIPT" | python -c "import json,sys; print(json.load(sys.stdin)['receipt_code'])")
PIN=$(echo "$RECEIPT" | python -c "import json,sys; print(json.load(sys.stdin)['pin'])")
echo "receipt $CODE, PIN $PIN (QR in $DEMO/receipt-qr.png)"
echo "-- status at the kiosk before sync:"
yizhan-kiosk status "$CODE" --pin "$PIN" --data "$KIOSK"
echo "-- sync:"
yizhan-kiosk sync --data "$KIOSK"
echo "-- county staff route the case to mediation:"
yizhan-server case route "$CODE" --to mediation --data "$COUNTY"
echo "-- sync again, then the worker checks the receipt at the kiosk:"
yizhan-kiosk sync --data "$KIOSK"
yizhan-kiosk status "$CODE" --pin "$PIN" --data "$KIOSK"
echo "-- the county's export for analysts:"
yizhan-server export --format jsonl --data "$COUNTY" | tail -n 1
echo "== demo done. State is kept in $DEMO (delete it to start afresh)."
