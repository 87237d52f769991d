#!/usr/bin/env bash
# Shell completion: `cairn completion bash|zsh|fish` prints scripts made from
# the front end's command and option tables; the installed copies in
# packaging/completion/ must equal that output; each parses in its shell,
# names every command, and bash's completes what a user types.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
SRC="$CAIRN_SOURCE_DIR/packaging/completion"
declare -A FILE=([bash]=cairn.bash [zsh]=_cairn [fish]=cairn.fish)
COMMANDS=$("$CAIRN" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }')
check "--help lists the commands" [ -n "$COMMANDS" ]

for sh in bash zsh fish; do
    run completion "$sh"
    expect_ok "completion $sh"
    printf '%s\n' "$OUT" >"$sh.out"
    if cmp -s "$sh.out" "$SRC/${FILE[$sh]}"; then ok; else
        bad "packaging/completion/${FILE[$sh]} differs from 'cairn completion $sh': refresh it with" \
            "'build/stage/bin/cairn completion $sh >packaging/completion/${FILE[$sh]}'"
    fi
    if command -v "$sh" >/dev/null; then
        check "the $sh script parses ($sh -n)" "$sh" -n "$sh.out"
    else
        echo "note: $sh is not installed; its script is not parsed"
    fi
    for c in $COMMANDS; do
        check "the $sh script offers '$c'" grep -qw -- "$c" "$sh.out"
    done
    # every flag each command's --help documents is in the script
    for c in $COMMANDS; do
        for f in $("$CAIRN" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
            check "the $sh script knows $c $f" grep -q -- "${f#--}" "$sh.out"
        done
    done
done
run completion tcsh
expect_rc 2 "an unknown shell"
one_error_line "an unknown shell: one error line"
run completion
expect_rc 2 "no shell"
check "completion is hidden from --help" bash -c "! '$CAIRN' --help | grep -qw completion"

# bash: the script's own logic, with bash-completion's two helpers stubbed
mkdir -p migrations/20260101000000_init migrations/20260102000000_more
complete_words() {
    PATH="$CAIRN_STAGE/bin:$PATH" bash -c '
        _init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
                             words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
        _filedir() { COMPREPLY=(); }
        . "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cairn cairn; echo "${COMPREPLY[*]}"' \
        "$WORK/bash.out" "$@"
}
check "'cairn gen<TAB>' gives generate" test "$(complete_words cairn gen)" = generate
check "'cairn h<TAB>' gives nothing (there is no help command)" test -z "$(complete_words cairn h)"
check "'cairn d<TAB>' gives the d commands" test "$(complete_words cairn d)" = "drift drop diagram dialects"
check "'cairn migrate --dr<TAB>' gives --dry-run" test "$(complete_words cairn migrate --dr)" = --dry-run
check "'cairn status --dr<TAB>' gives nothing (not a status flag)" \
    test -z "$(complete_words cairn status --dr)"
check "'cairn --js<TAB>' gives --json" test "$(complete_words cairn --js)" = --json
check "'cairn --color <TAB>' gives the three" test "$(complete_words cairn --color '')" = "auto always never"
check "'cairn diagram --format <TAB>' gives the four formats" \
    test "$(complete_words cairn diagram --format '')" = "dot mermaid svg html"
check "'cairn diagram --columns k<TAB>' gives keys" test "$(complete_words cairn diagram --columns k)" = keys
check "'cairn --dialect <TAB>' offers the built drivers" \
    bash -c "grep -qw sqlite <<<'$(complete_words cairn --dialect '')'"
check "'cairn --out x --dialect sqlite mig<TAB>' skips option values" \
    test "$(complete_words cairn --out x --dialect sqlite mig)" = migrate
check "'cairn resolve <TAB>' offers the migrations" \
    test "$(complete_words cairn resolve '')" = "20260101000000_init 20260102000000_more"
check "'cairn completion <TAB>' offers the shells" test "$(complete_words cairn completion '')" = "bash zsh fish"
finish
