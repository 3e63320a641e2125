#!/usr/bin/env bash
# Builds the Linux CPU bundle and smoke-tests it:
#   dist/tagassist/                          one folder: tagassist (app), tagassist-cli (CLI + trainer)
#   dist/tagassist-VERSION-linux-ARCH.tar.gz that folder + install.sh + .desktop file + icon
# then runs `dist/tagassist/tagassist --self-test` without a display and prints size and
# start-up times (also written to dist/build-report.json).
#
#   bash packaging/build.sh            # build + smoke test (about 5-10 minutes on 2 cores)
#   bash packaging/build.sh --test     # pack and smoke-test an existing dist/tagassist only
#
# The build uses its own virtualenv (build/venv-cpu) with a CPU-only torch, so the bundle
# carries no CUDA libraries. Set PYTHON to choose the interpreter (default python3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/build/venv-cpu"
DIST="$ROOT/dist"
VERSION="$("$PYTHON" -c 'import re,sys; print(re.search(r"__version__ = \"(.+?)\"", open("tagassist/__init__.py").read())[1])')"
ARCH="$(uname -m)"
BUNDLE="$DIST/tagassist"

build() {
    if [ ! -x "$VENV/bin/pyinstaller" ]; then
        echo "== build environment: $VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q --upgrade pip
        "$VENV/bin/pip" install -q -r packaging/requirements-cpu.txt
    fi
    # The project itself without its declared dependencies (they are in requirements-cpu.txt).
    "$VENV/bin/pip" install -q --no-deps --no-build-isolation -e .
    echo "== pyinstaller"
    local started=$SECONDS
    "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" \
        packaging/tagassist.spec
    BUILD_SECONDS=$((SECONDS - started))
    # CUDA must not have crept in through some dependency.
    local cuda
    cuda="$(find "$BUNDLE" -regextype posix-extended \
        -iregex '.*/lib(cuda|cudart|cublas|cudnn|cufft|curand|cusolver|cusparse|nccl|nvrtc|nvjitlink|nvtoolsext|torch_cuda)[^/]*' )"
    if [ -n "$cuda" ]; then
        echo "build.sh: CUDA libraries found in the CPU bundle:" >&2
        echo "$cuda" >&2
        exit 1
    fi
}

package() {
    # torch's own libraries carry symbol tables the loader never needs (about 100 MB);
    # stripping them is safe, which the self-test below proves. Other wheels' libraries are
    # left alone: strip(1) breaks some (numpy's OpenBLAS).
    if command -v strip >/dev/null; then
        strip --strip-unneeded "$BUNDLE"/_internal/torch/lib/libtorch*.so "$BUNDLE"/_internal/torch/lib/libc10.so
    fi
    echo "== archive"
    local stage="$ROOT/build/stage/tagassist-$VERSION"
    rm -rf "$ROOT/build/stage" && mkdir -p "$stage"
    cp -a "$BUNDLE" "$stage/tagassist"
    cp packaging/linux/tagassist.desktop packaging/linux/install.sh "$stage/"
    cp resources/icons/tagassist.png "$stage/tagassist.png"
    chmod +x "$stage/install.sh"
    tar -C "$ROOT/build/stage" -czf "$DIST/tagassist-$VERSION-linux-$ARCH.tar.gz" "tagassist-$VERSION"
}

smoke_test() {
    echo "== self-test (no display)"
    local home
    home="$(mktemp -d)"
    # A clean HOME: the self-test must need nothing from the build machine's user profile.
    env -i HOME="$home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$BUNDLE/tagassist" --self-test
    echo "== start-up times (5 runs each)"
    "$PYTHON" - "$BUNDLE" "$DIST" "${BUILD_SECONDS:-}" "$VERSION" "$ARCH" "$home" <<'PY'
import json, os, statistics, subprocess, sys, time
from pathlib import Path
bundle, dist, build_s, version, arch, home = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
env = {"HOME": home, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

def timed(argv):
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - started)
    return runs

def size_mb(path):
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20

# --version exits after argparse: interpreter + bundle unpacking cost. self-test --json also
# loads torch, the encoder and Qt-free engine: the cost of the first suggestion.
version_runs = timed([str(bundle / "tagassist-cli"), "--version"])
engine_runs = timed([str(bundle / "tagassist-cli"), "doctor", "--json"])
archive = dist / f"tagassist-{version}-linux-{arch}.tar.gz"
largest = sorted(((f.stat().st_size / 2**20, str(f.relative_to(bundle))) for f in bundle.rglob("*")
                  if f.is_file() and not f.is_symlink()), reverse=True)[:8]
report = {
    "version": version, "arch": arch, "flavour": "cpu",
    "bundle_mb": round(size_mb(bundle), 1),
    "archive_mb": round(archive.stat().st_size / 2**20, 1) if archive.exists() else None,
    "build_seconds": int(build_s) if build_s else None,
    "cold_start_cli_version_s": {"median": round(statistics.median(version_runs), 3), "runs": [round(r, 3) for r in version_runs]},
    "cli_doctor_s": {"median": round(statistics.median(engine_runs), 3), "runs": [round(r, 3) for r in engine_runs]},
    "largest_files_mb": [[round(s, 1), name] for s, name in largest],
}
(dist / "build-report.json").write_text(json.dumps(report, indent=2))
print(f"{'bundle (unpacked)':<28}{report['bundle_mb']:>10.1f} MB")
if report["archive_mb"]:
    print(f"{'archive (.tar.gz)':<28}{report['archive_mb']:>10.1f} MB")
print(f"{'start: tagassist-cli --version':<28}{report['cold_start_cli_version_s']['median']:>10.2f} s (median of 5)")
print(f"{'start: tagassist-cli doctor':<28}{report['cli_doctor_s']['median']:>10.2f} s (median of 5)")
for s, name in largest:
    print(f"  {s:8.1f} MB  {name}")
PY
    rm -rf "$home"
}

case "${1:-}" in
    --test) package; smoke_test ;;
    "") build; package; smoke_test ;;
    *) echo "usage: bash packaging/build.sh [--test]" >&2; exit 1 ;;
esac
echo "== done: $BUNDLE"
