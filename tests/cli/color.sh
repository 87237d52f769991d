#!/usr/bin/env bash
# Colour: status words, warning and error labels are coloured on a terminal,
# never when piped, never with NO_COLOR or TERM=dumb (unless
# --color=always); --color=never wins over a terminal. A terminal is made
# with script(1).
. "$(dirname "$0")/lib.sh"

P="$WORK/color"
mkdir -p "$P"
cd "$P" || exit 1
printf '{ "dialect": "sqlite", "url": "sqlite:app.db", "schema": "schema.json", "out": "migrations" }\n' >cairn.json
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/01_create.json" schema.json
run generate --name init
run migrate
cp "$CAIRN_SOURCE_DIR/tests/cli/evolve/02_add_column_default.json" schema.json
run generate --name more
ESC=$'\033['
has_esc() { contains "$1" "$ESC"; }
no_esc() { ! contains "$1" $'\033'; }

# piped (the tests' own stdout and stderr are files): no colour by default
unset NO_COLOR
export TERM=xterm
run status
expect_ok "status"
check "piped: no escape in status" no_esc "$OUT"
run --bogus
check "piped: no escape in the error line" no_esc "$ERR"

# --color=always: coloured even through a pipe
run --color=always status
expect_ok "status --color=always"
check "--color=always: the applied word in green" contains "$OUT" "${ESC}32mapplied${ESC}0m"
check "--color=always: the pending word in yellow" contains "$OUT" "${ESC}33mpending${ESC}0m"
check "--color=always keeps the columns" contains "$OUT" "${ESC}0m  $(ls migrations | tail -n 1)"
run --color always --bogus
check "--color always: the error label in red" contains "$ERR" "cairn: ${ESC}1;31merror:${ESC}0m unknown option"
NO_COLOR=1 run --color=always status
check "--color=always wins over NO_COLOR" has_esc "$OUT"
run --color=never status
check "--color=never: no escape" no_esc "$OUT"
run --color=sometimes status
expect_rc 2 "--color with a bad value"
one_error_line "--color with a bad value: one error line"
run --json --color=always status
check "--json: no colour inside the document" no_esc "$OUT"

# on a terminal (script(1) gives the command one)
if command -v script >/dev/null; then
    tty_run() { script -qec "$*" /dev/null </dev/null 2>&1; }
    out=$(tty_run "'$CAIRN' status")
    check "a terminal: coloured" has_esc "$out"
    out=$(NO_COLOR=1 tty_run "'$CAIRN' status")
    check "a terminal with NO_COLOR: no colour" no_esc "$out"
    out=$(NO_COLOR=1 tty_run "'$CAIRN' --color=auto status")
    check "NO_COLOR wins over --color=auto" no_esc "$out"
    out=$(TERM=dumb tty_run "'$CAIRN' status")
    check "a terminal with TERM=dumb: no colour" no_esc "$out"
    out=$(tty_run "'$CAIRN' --color=never status")
    check "a terminal with --color=never: no colour" no_esc "$out"
    out=$(tty_run "'$CAIRN' status --bogus")
    check "a terminal: the error label in red" contains "$out" "${ESC}1;31merror:"
else
    echo "note: script(1) is not installed; the terminal cases are skipped"
fi
finish
