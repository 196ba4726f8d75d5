#!/usr/bin/env bash
# `make gpu-kit`: what a bare GPU machine without network needs to run tools/gpu_check.py.
#
# 1. Every package of tools/gpu_kit.txt as a Python 3.12 manylinux x86_64 wheel in $KIT (.whl/),
#    pure-Python ones as py3-none-any; a package published only as source is built here into a
#    py3-none-any wheel (refused if the build is not pure Python).  Wheels already there are kept;
#    another version of a listed package is removed (two versions stop `pip install --no-deps`).
# 2. The reference implementation (github.com/xiaomi-automl/MixPath) exported from $REFERENCE_SRC
#    (a git directory, bare or not, or a plain copy) into $REFERENCE_DIR (.reference/MixPath), with
#    its commit in COMMIT; without a usable $REFERENCE_SRC an existing $REFERENCE_DIR is kept.  Imported by tools/benchmark.py, never copied into the repository.
# Both folders are ignored by git.  The total must stay under 64 MiB (what travels with a run).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
KIT=${KIT:-.whl}
LIST=${LIST:-tools/gpu_kit.txt}
REFERENCE_DIR=${REFERENCE_DIR:-.reference/MixPath}
REFERENCE_SRC=${REFERENCE_SRC:-}
LIMIT_MIB=60
PLATFORMS=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_24_x86_64 manylinux_2_17_x86_64
           manylinux2014_x86_64 manylinux1_x86_64)

norm() { echo "$1" | tr 'A-Z' 'a-z' | sed -E 's/[-_.]+/_/g'; }

# the wheels in $KIT of one package (any version), as file names
wheels_of() {
    local want; want=$(norm "$1")
    for f in "$KIT"/*.whl; do
        [ -e "$f" ] || continue
        local base; base=$(basename "$f")
        [ "$(norm "${base%%-*}")" = "$want" ] && echo "$base"
    done
    return 0
}

fetch_wheel() {  # name version
    local name=$1 version=$2 tmp
    local platform_args=()
    for p in "${PLATFORMS[@]}"; do platform_args+=(--platform "$p"); done
    if "$PYTHON" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
            "${platform_args[@]}" -d "$KIT" "$name==$version" 2>/dev/null; then
        return 0
    fi
    # published as source only: build it here, and accept it only as a pure-Python wheel
    tmp=$(mktemp -d)
    "$PYTHON" -m pip wheel -q --no-deps --no-binary "$name" -w "$tmp" "$name==$version"
    for f in "$tmp"/*.whl; do
        case "$f" in
            *-none-any.whl) mv "$f" "$KIT"/ ;;
            *) echo "gpu-kit: $name $version has no Python 3.12 manylinux wheel and builds as $(basename "$f")," \
                    "not pure Python; add a wheel for it by hand" >&2; rm -rf "$tmp"; return 1 ;;
        esac
    done
    rm -rf "$tmp"
}

mkdir -p "$KIT"
while read -r line; do
    req=${line%%#*}
    req=$(echo "$req" | tr -d '[:space:]')
    [ -n "$req" ] || continue
    name=${req%%==*}
    version=${req#*==}
    have=$(wheels_of "$name")
    if [ -n "$have" ] && echo "$have" | grep -q -- "-$version-" && [ "$(echo "$have" | wc -l)" -eq 1 ]; then
        continue
    fi
    for old in $have; do rm -f "$KIT/$old"; done
    echo "gpu-kit: $name==$version"
    fetch_wheel "$name" "$version"
done < "$LIST"

# the reference implementation
reference_ok=1
if [ -n "$REFERENCE_SRC" ] && git -C "$REFERENCE_SRC" rev-parse -q --verify 'HEAD^{commit}' >/dev/null 2>&1; then
    rm -rf "$REFERENCE_DIR"
    mkdir -p "$REFERENCE_DIR"
    git -C "$REFERENCE_SRC" archive --format=tar HEAD | tar -x -C "$REFERENCE_DIR"
    git -C "$REFERENCE_SRC" rev-parse HEAD > "$REFERENCE_DIR/COMMIT"
    echo "gpu-kit: reference $(cat "$REFERENCE_DIR/COMMIT") exported from $REFERENCE_SRC into $REFERENCE_DIR"
elif [ -n "$REFERENCE_SRC" ] && [ -f "$REFERENCE_SRC/S1/model_search.py" ]; then
    rm -rf "$REFERENCE_DIR"
    mkdir -p "$REFERENCE_DIR"
    cp -R "$REFERENCE_SRC"/. "$REFERENCE_DIR"/
    rm -rf "$REFERENCE_DIR/.git"
    echo "unknown (copied from a plain directory)" > "$REFERENCE_DIR/COMMIT"
    echo "gpu-kit: reference copied from $REFERENCE_SRC into $REFERENCE_DIR"
elif [ -f "$REFERENCE_DIR/S1/model_search.py" ]; then
    echo "gpu-kit: reference already in $REFERENCE_DIR ($(cat "$REFERENCE_DIR/COMMIT" 2>/dev/null || echo 'commit unknown'))"
else
    reference_ok=0
    echo "gpu-kit: no reference implementation at REFERENCE_SRC='$REFERENCE_SRC'. Get it with" >&2
    echo "    git clone https://github.com/xiaomi-automl/MixPath /tmp/MixPath" >&2
    echo "    make gpu-kit REFERENCE_SRC=/tmp/MixPath" >&2
    echo "(tools/gpu_check.py runs without it, but then times no reference rows)" >&2
fi

total=$(du -sb "$KIT" "$REFERENCE_DIR" 2>/dev/null | awk '{s += $1} END {print s + 0}')
echo "gpu-kit: $(ls "$KIT"/*.whl | wc -l) wheels; $(du -sh "$KIT" | cut -f1) in $KIT;" \
     "kit + reference $((total / 1048576)) MiB (limit $LIMIT_MIB MiB with the repository)"
if [ "$total" -gt $((LIMIT_MIB * 1048576)) ]; then
    echo "gpu-kit: over $LIMIT_MIB MiB: a run carries at most 64 MiB with the working tree" >&2
    exit 1
fi
[ "$reference_ok" = 1 ] || exit 2
