#!/usr/bin/env bash
# Finding a driver by URL scheme loads that driver alone: its manifest
# (<name>.dialect beside <name>.so) says what it serves, so
# `cairn status --url sqlite:///x.db` maps neither libpq nor libmariadb.
# What is mapped is read from the dynamic loader's own log (LD_DEBUG=libs),
# first shown to name the client libraries when `cairn dialects` loads every
# driver. A driver without a manifest, or with a broken one, still works.
. "$(dirname "$0")/lib.sh"

stage_so=$(find "$CAIRN_STAGE" -path '*/cairn/dialects/sqlite.so' | head -1)
DIALECTS=$(dirname "$stage_so")
OTHERS='libpq|libmariadb|libmysqlclient|/postgresql\.so|/mysql\.so'

# ld_run ARGS...: run cairn under LD_DEBUG=libs; sets RC, OUT, ERR and LD
# (the loader's log).
ld_run() {
    rm -f "$WORK"/.ld.*
    LD_DEBUG=libs LD_DEBUG_OUTPUT="$WORK/.ld" run "$@"
    LD=$(cat "$WORK"/.ld.* 2>/dev/null)
}
ld_has() { grep -qE "$1" <<<"$LD"; }

cd "$WORK" || exit 1
mkdir migrations

# ---- the control: `cairn dialects` still loads and lists every driver ------
ld_run dialects
expect_ok "dialects"
check "the loader's log shows sqlite.so and libsqlite3 loaded by 'cairn dialects'" \
    ld_has 'calling init: .*/sqlite\.so'
for so in "$DIALECTS"/*.so; do
    name=$(basename "$so" .so)
    check "dialects lists $name" bash -c "grep -q '^$name ' <<<\"\$1\"" _ "$OUT"
    case $name in
    postgresql) check "the log of 'cairn dialects' names libpq" ld_has libpq ;;
    mysql) check "the log of 'cairn dialects' names the MariaDB/MySQL client" \
        ld_has 'libmariadb|libmysqlclient' ;;
    esac
    check "$name.so has its manifest beside it" test -f "$DIALECTS/$name.dialect"
done

# ---- by URL scheme, by file path, by name: that driver alone ----------------
for args in "--url sqlite:///x.db" "--url ./app.db" "--dialect sqlite --url app.db"; do
    # shellcheck disable=SC2086
    ld_run status $args
    expect_ok "status $args"
    check "status $args loads sqlite.so" ld_has 'calling init: .*/sqlite\.so'
    check "status $args maps no other driver nor its client library ($(grep -oE "$OTHERS" <<<"$LD" | sort -u | tr '\n' ' '))" \
        bash -c '! grep -qE "$1" <<<"$2"' _ "$OTHERS" "$LD"
done

# ---- a driver without a manifest is loaded and asked, as before -----------
mkdir -p "$WORK/private"
cp "$stage_so" "$WORK/private/sqlite.so"
ld_run --dialect-path "$WORK/private" status --url sqlite:app.db
expect_ok "a driver without a manifest is found by scheme"
check "... the one on --dialect-path" ld_has "calling init: $WORK/private/sqlite\.so"

# ---- a manifest that is not one: ignored with a debug line ----------------
printf 'name: sqlite\n\001\002\003 garbage\n' >"$WORK/private/sqlite.dialect"
run --verbose --dialect-path "$WORK/private" status --url sqlite:app.db
expect_ok "a driver beside a garbage manifest is found by scheme"
expect_err "debug: $WORK/private/sqlite.dialect: manifest ignored: line 1" \
    "--verbose says the manifest was ignored, and where"
awk 'BEGIN { printf "name = sqlite\nschemes = sqlite file\n#"; for (i = 0; i < 5000; i++) printf "x"; print "" }' \
    >"$WORK/private/sqlite.dialect"
run --verbose --dialect-path "$WORK/private" status --url sqlite:app.db
expect_ok "a driver beside an over-long manifest is found by scheme"
expect_err "manifest ignored: larger than 4096 bytes" "--verbose says why"

# ---- a manifest the driver's table contradicts: refused in one line --------
printf '# wrong on purpose\nname = sqlite\nschemes = sqlite file other\n' >"$WORK/private/sqlite.dialect"
before=$(state "$WORK/app.db" "$WORK/private")
run --dialect-path "$WORK/private" status --url other:app.db
expect_rc 5 "a driver whose table disagrees with its manifest is refused (exit 5)"
one_error_line "the refusal"
expect_err "$WORK/private/sqlite.so: its manifest lists schemes 'sqlite,file,other', the driver serves 'sqlite,file'" \
    "the refusal names the file, the manifest's schemes and the driver's"
check "the refusal changed nothing" test "$(state "$WORK/app.db" "$WORK/private")" = "$before"
run --dialect-path "$WORK/private" dialects
expect_out "its manifest lists schemes" "cairn dialects shows the refusal"
ld_run --dialect-path "$WORK/private" status --url sqlite:app.db
expect_ok "the next driver that serves the scheme is used"
check "... the staged one" ld_has "calling init: $DIALECTS/sqlite\.so"

finish
