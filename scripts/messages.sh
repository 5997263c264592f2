#!/usr/bin/env bash
# Refresh the message catalogue (docs/translations.md): extract every msgid from our code and from click
# (whose own words -- Usage, Options, Missing option -- we translate too), merge them into the zh_CN .po,
# and compile the .mo committed beside it. Run from the project's root with the test extras installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
CLICK_DIR=$("$PY" -c 'import click, os; print(os.path.dirname(click.__file__))')
POT=$(mktemp --suffix=.pot)
trap 'rm -f "$POT" "$POT.click"' EXIT
"$PY" -m babel.messages.frontend extract -F babel.cfg --no-location --sort-output \
    --project hotline-ledger -o "$POT" .
"$PY" -m babel.messages.frontend extract --no-location --sort-output -o "$POT.click" "$CLICK_DIR"
"$PY" - "$POT" "$POT.click" <<'PY'
import sys
from babel.messages.pofile import read_po, write_po
ours = read_po(open(sys.argv[1], "rb"))
for message in read_po(open(sys.argv[2], "rb")):
    if message.id and message.id not in ours:
        ours[message.id] = message
with open(sys.argv[1], "wb") as out:
    write_po(out, ours, sort_output=True, omit_header=False)
PY
PO=ledger/locale/zh_CN/LC_MESSAGES/hotline_ledger.po
if [ -f "$PO" ]; then
    "$PY" -m babel.messages.frontend update -i "$POT" -o "$PO" -l zh_CN --no-fuzzy-matching --ignore-obsolete
else
    "$PY" -m babel.messages.frontend init -i "$POT" -o "$PO" -l zh_CN
fi
"$PY" -m babel.messages.frontend compile -i "$PO" -o "${PO%.po}.mo" -l zh_CN --statistics
