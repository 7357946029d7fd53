#!/bin/sh
# Compare the machine code of the fill kernels of the working tree with that
# of a base revision, function by function.  The AVX-512 path cannot run on
# a host without AVX-512, so a refactor of it is checked here instead: equal
# code cannot give different bits.  Not run by CI.
#
#   tests/c/compare_asm.sh [BASE_REV] [FILE...]
#
# BASE_REV defaults to HEAD; FILE defaults to the three kernel files.  Both
# trees are compiled with setup.py's flags (plus Python's CFLAGS).  Prints
# "same" or a unified diff per function; addresses, relocation offsets and
# compiler-numbered constant labels are normalized away.
set -eu
cd "$(git rev-parse --show-toplevel)"
base=${1:-HEAD}
[ $# -gt 0 ] && shift
files=${*:-fi_fill_scalar.c fi_fill_avx2.c fi_fill_avx512.c}
CC=${CC:-cc}
FLAGS="-Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -O3 -ffp-contract=off -fno-math-errno -pthread -std=c11"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base" "$work/new"
git archive "$base" csrc | tar -x -C "$work/base"
cp -r csrc "$work/new/"

disasm() { # object -> one file per function in directory $2
    mkdir -p "$2"
    objdump -dr --no-show-raw-insn "$1" |
        sed -E -e 's/^[0-9a-f]+ <([^>]+)>:$/FUNCTION \1/' \
               -e 's/^[[:space:]]*[0-9a-f]+:[[:space:]]*//' \
               -e 's/[0-9a-f]+ (<[^>]*>)/\1/' \
               -e 's/[[:space:]]+# [0-9a-f]+ <[^>]*>$//' \
               -e 's/\.LC[0-9]+/.LC/g' \
               -e 's/^[0-9a-f]+ <([^>]+)>:$/FUNCTION \1/' \
               -e 's/^(FUNCTION [A-Za-z0-9_]+)\.(constprop|isra|part)\.[0-9]+$/\1/' \
               -e 's/R_X86_64_([A-Z0-9_]+)[[:space:]]+(\.rodata[^ ]*|\.LC)[-+]0x[0-9a-f]+/R_\1 \2/' |
        awk -v dir="$2" '/^FUNCTION / { name = $2; gsub(/[^A-Za-z0-9_.]/, "_", name); out = dir "/" name; next }
                         out != "" && NF { print > out }'
    # the padding after a function's last instruction is the next one's alignment
    for fn in "$2"/*; do
        awk '{ line[NR] = $0 } END { n = NR; while (n > 0 && line[n] ~ /^(nop|xchg +%ax,%ax|cs nop|data16)/) n--;
                                     for (i = 1; i <= n; i++) print line[i] }' "$fn" >"$fn.trimmed"
        mv "$fn.trimmed" "$fn"
    done
}

# CANONICAL=1: also rename vector registers and stack slots in order of first
# use, so that a different register allocation alone compares equal (the
# instructions, their order and every other operand must still match).
canonical() {
    python3 - "$1" <<'PY'
import re, sys
path = sys.argv[1]
names = {}
def rename(match, kind):
    key = (kind, match.group(0))
    if key not in names:
        names[key] = f"{kind}{sum(1 for k in names if k[0] == kind)}"
    return names[key]
lines = []
for line in open(path):
    line = re.sub(r"%[xyz]mm\d+", lambda m: rename(m, "%vreg"), line)
    line = re.sub(r"-?0x[0-9a-f]+\(%[re]sp\)|\(%[re]sp\)", lambda m: rename(m, "slot"), line)
    lines.append(line)
open(path, "w").writelines(lines)
PY
}

status=0
for f in $files; do
    for tree in base new; do
        $CC $FLAGS -I"$work/$tree/csrc" -c "$work/$tree/csrc/$f" -o "$work/$tree/${f%.c}.o"
        disasm "$work/$tree/${f%.c}.o" "$work/$tree/${f%.c}.fn"
    done
    for fn in $( (ls "$work/base/${f%.c}.fn"; ls "$work/new/${f%.c}.fn") | sort -u); do
        b="$work/base/${f%.c}.fn/$fn" n="$work/new/${f%.c}.fn/$fn"
        if [ ! -f "$b" ]; then echo "$f $fn: only in the working tree ($(wc -l <"$n") instructions)"; continue; fi
        if [ ! -f "$n" ]; then echo "$f $fn: only in $base ($(wc -l <"$b") instructions)"; status=1; continue; fi
        if [ "${CANONICAL:-0}" = 1 ]; then canonical "$b"; canonical "$n"; fi
        if cmp -s "$b" "$n"; then
            echo "$f $fn: same ($(wc -l <"$n") instructions)"
        else
            echo "$f $fn: DIFFERENT"
            diff -u "$b" "$n" | sed -n '3,$p' | head -${DIFF_LINES:-60}
            status=1
        fi
    done
done
exit $status
