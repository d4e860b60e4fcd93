#!/bin/bash
# The demo's command-line outputs, for checking that a change of layout changes no behaviour:
#   bench/demo_outputs.sh /tmp/before      (on the old code)
#   bench/demo_outputs.sh /tmp/after       (on the new code, the same day)
#   diff -r -x '*.sqlite3' -x instance -x demo.txt -x '*.xlsx' /tmp/before /tmp/after
# Writes parity --json, balances --json, and a payment batch's file (CSV and XLSX) from a fresh
# SQLite database with the demo loaded. The XLSX differs only in its "Created at" cell; demo.txt
# holds the demo accounts' random passwords. Uses .venv/bin/remun of the checkout it is run from.
set -euo pipefail
OUT=$(realpath -m "$1")
HERE=$(cd "$(dirname "$0")/.." && pwd)
REMUN="$HERE/.venv/bin/remun"
PYTHON="$HERE/.venv/bin/python"
rm -rf "$OUT" && mkdir -p "$OUT"
export REMUN_DATABASE_URL="sqlite:///$OUT/db.sqlite3" REMUN_INSTANCE_PATH="$OUT/instance"
cd "$OUT"
query() { "$PYTHON" -c "import sqlite3, sys; row = sqlite3.connect('$OUT/db.sqlite3').execute(sys.argv[1]).fetchone(); print(row[0] if row and row[0] is not None else '')" "$1"; }
"$REMUN" migrate > /dev/null
"$REMUN" demo > demo.txt
PROJECT=$(query "select name from projects order by id limit 1")
"$REMUN" parity --project "$PROJECT" --json > parity.json
"$REMUN" balances --project "$PROJECT" --json > balances.json
BATCH=$(query "select min(id) from payment_batches")
if [ -z "$BATCH" ]; then
  "$REMUN" batch create --project "$PROJECT" --json > batch_create.json
  BATCH=$(query "select min(id) from payment_batches")
fi
"$REMUN" batch export "$BATCH" --out batch.csv > batch_export.txt
"$REMUN" batch export "$BATCH" --out batch.xlsx > batch_export_xlsx.txt
echo "Wrote the outputs for “$PROJECT”, batch $BATCH, to $OUT"
