#!/usr/bin/env bash
# Installs the optional native TensorFlow backend ('tensorflow' in TensorFlow.js) for shelfssl.
#
# tfjs-node's own install script downloads libtensorflow from a website, which this project's
# machines cannot reach. Instead, from registries only:
#   1. PyPI: the pinned tensorflow-cpu wheel, which ships libtensorflow_cc.so.2 (exporting the
#      TF_*/TFE_* C API that tfjs-node's binding calls), libtensorflow_framework.so.2 and the C headers;
#   2. npm: @tensorflow/tfjs-node, pinned by native/tfjs-node/package-lock.json, with --ignore-scripts;
#   3. the binding's sources (shipped in that npm package) compiled with npm's bundled node-gyp
#      against the Node headers already on the machine, and linked to the wheel's libraries.
# Everything downloaded is cached under ~/.cache/shelfssl/native; a second run is a no-op (~1 s).
#
# Usage: bash infra/setup-native.sh [--force] [--gpu]
#   --gpu   the CUDA build (PyPI `tensorflow` instead of `tensorflow-cpu`) plus the nvidia-*-cu12
#           wheels its METADATA pins, installed where its RUNPATH looks ($ORIGIN/../nvidia/...).
#           Not verified on a GPU yet; see native/README.md.
#   SHELFSSL_TF_VERSION=2.20.0      another TensorFlow release (2.15.1 is the tested default).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/native/tfjs-node"
MODULE="$PREFIX/node_modules/@tensorflow/tfjs-node"
FORCE=0
GPU=0
for arg in "$@"; do
  case "$arg" in
  --force) FORCE=1 ;;
  --gpu) GPU=1 ;;
  *)
    echo "usage: bash infra/setup-native.sh [--force] [--gpu]" >&2
    exit 2
    ;;
  esac
done
DEFAULT_PACKAGE=tensorflow-cpu
[[ $GPU == 1 ]] && DEFAULT_PACKAGE=tensorflow
TF_PACKAGE="${SHELFSSL_TF_PACKAGE:-$DEFAULT_PACKAGE}"
TF_VERSION="${SHELFSSL_TF_VERSION:-2.15.1}"
# Any CPython the wheel exists for: we only take its C libraries, never its Python modules.
WHEEL_PYTHON="3.11"
CACHE="${SHELFSSL_CACHE:-$HOME/.cache/shelfssl}/native/$TF_PACKAGE-$TF_VERSION"
# node-pre-gyp (tfjs-node's loader) looks in lib/napi-v<highest listed N-API version Node supports>.
NAPI_VERSION=8
BINDING="$MODULE/lib/napi-v$NAPI_VERSION/tfjs_binding.node"
STAMP="$MODULE/lib/shelfssl-native.stamp"
PATCHES=("$ROOT"/native/patches/*.patch)
# A changed patch changes the stamp, so machines with an older build recompile.
PATCH_DIGEST="$(cat "${PATCHES[@]}" | sha256sum | cut -c1-12)"
STAMP_TEXT="$TF_PACKAGE==$TF_VERSION gpu=$GPU napi=$NAPI_VERSION node=$(node -p 'process.versions.modules') patches=$PATCH_DIGEST"

log() { echo "setup-native: $*"; }
die() {
  echo "setup-native: ERROR: $*" >&2
  exit 1
}

binding_loads() {
  (cd "$PREFIX" && node -e "require('$BINDING')") >/dev/null 2>&1
}

already_done() {
  [[ $FORCE == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_TEXT" ]] && binding_loads
}

pip_cmd() {
  if python3 -m pip --version >/dev/null 2>&1; then
    echo "python3 -m pip"
  elif /usr/bin/python3 -m pip --version >/dev/null 2>&1; then
    echo "/usr/bin/python3 -m pip"
  else
    die "pip is missing: apt-get install python3-pip"
  fi
}

fetch_wheel() {
  mkdir -p "$CACHE/wheel"
  if compgen -G "$CACHE/wheel/*.whl" >/dev/null; then return; fi
  log "downloading $TF_PACKAGE==$TF_VERSION from PyPI (~200 MB, once)"
  $(pip_cmd) download --no-deps --only-binary=:all: --python-version "$WHEEL_PYTHON" \
    --platform manylinux2014_x86_64 -d "$CACHE/wheel" "$TF_PACKAGE==$TF_VERSION" >/dev/null
}

# Only the two libraries and the header subtrees that tensorflow/c/c_api.h and eager/c_api.h include.
extract_wheel() {
  if [[ -f "$CACHE/tf/.extracted" ]]; then return; fi
  log "extracting the TensorFlow C library from the wheel"
  rm -rf "$CACHE/tf"
  mkdir -p "$CACHE/tf/lib" "$CACHE/tf/include"
  python3 - "$CACHE" <<'PY'
import glob, os, shutil, sys, zipfile
cache = sys.argv[1]
wheel = glob.glob(os.path.join(cache, "wheel", "*.whl"))[0]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
# tsl/ moved under xla/ in TensorFlow 2.18+.
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/",
           "tensorflow/include/tsl/", "tensorflow/include/xla/tsl/c/", "tensorflow/include/xla/tsl/platform/")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in libs:
            dest = os.path.join(cache, "tf", "lib", os.path.basename(name))
        elif name.startswith(headers) and not name.endswith("/"):
            dest = os.path.join(cache, "tf", "include", name[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out)
PY
  # binding.gyp links -ltensorflow -ltensorflow_framework; the wheel names the C API library _cc.
  ln -sfn libtensorflow_cc.so.2 "$CACHE/tf/lib/libtensorflow.so"
  ln -sfn libtensorflow_framework.so.2 "$CACHE/tf/lib/libtensorflow_framework.so"
  # grep -c, not -q: -q would close the pipe early and pipefail would report nm's SIGPIPE.
  [[ "$(nm -D --defined-only "$CACHE/tf/lib/libtensorflow_cc.so.2" | grep -c ' T TFE_Execute\(@@.*\)\?$')" == 1 ]] ||
    die "the wheel's libtensorflow_cc.so.2 does not export the eager C API (TFE_Execute)"
  touch "$CACHE/tf/.extracted"
}

# The CUDA libraries the GPU wheel was built against, as pinned by its own `and-cuda` extra.
cuda_requirements() {
  python3 - "$CACHE" <<'PY'
import glob, os, re, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "wheel", "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    for line in z.read(meta).decode().splitlines():
        m = re.match(r"Requires-Dist: (nvidia-[\w-]+) \(?==([\w.]+)\)? ?; extra == .and-cuda.", line)
        if m:
            print(f"{m.group(1)}=={m.group(2)}")
PY
}

# Into $CACHE/tf/nvidia/<lib>/lib, which the wheel's libraries find through $ORIGIN/../nvidia/...
install_cuda_libraries() {
  if [[ -f "$CACHE/tf/.cuda" ]]; then return; fi
  local reqs
  mapfile -t reqs < <(cuda_requirements)
  [[ ${#reqs[@]} -gt 0 ]] || die "no and-cuda requirements in the $TF_PACKAGE wheel (is it the CUDA build?)"
  log "installing CUDA libraries from PyPI (several GB, once): ${reqs[*]}"
  $(pip_cmd) install --no-deps --only-binary=:all: --python-version "$WHEEL_PYTHON" \
    --platform manylinux2014_x86_64 --target "$CACHE/tf" "${reqs[@]}" >/dev/null
  touch "$CACHE/tf/.cuda"
}

# Uses the lockfile so every machine gets the same tree; scripts off (the download would fail).
install_tfjs_node() {
  if [[ -f "$MODULE/binding.gyp" ]]; then return; fi
  log "installing @tensorflow/tfjs-node (npm, --ignore-scripts)"
  (cd "$PREFIX" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

# Our changes to the binding's sources (native/patches/README.md says what each adds and why).
# Idempotent: a patch that is already in the tree is left alone.
apply_patches() {
  local patch
  for patch in "${PATCHES[@]}"; do
    if (cd "$MODULE" && git apply --reverse --check "$patch") >/dev/null 2>&1; then continue; fi
    log "patching the binding: $(basename "$patch")"
    (cd "$MODULE" && git apply "$patch") || die "$(basename "$patch") does not apply to tfjs-node $(package_version "$MODULE")"
  done
}

package_version() {
  node -p "require('$1/package.json').version" 2>/dev/null || echo missing
}

# The project already loads tfjs-core/-backend-cpu/-layers. A second copy of each would register
# every cpu kernel twice (hundreds of warnings); removing ours makes Node's lookup walk up to the
# project's copies, exactly what npm hoisting would give. Only done when the versions agree.
share_project_tfjs() {
  local pkg ours theirs
  for pkg in tfjs-core tfjs-backend-cpu tfjs-layers; do
    ours="$PREFIX/node_modules/@tensorflow/$pkg"
    theirs="$ROOT/node_modules/@tensorflow/$pkg"
    [[ -d "$ours" ]] || continue
    if [[ "$(package_version "$ours")" == "$(package_version "$theirs")" ]]; then
      rm -rf "$ours"
    else
      log "keeping native/ copy of $pkg ($(package_version "$ours") vs project $(package_version "$theirs"))"
    fi
  done
}

node_gyp() {
  local npm_root
  npm_root="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  local gyp="$npm_root/node_modules/node-gyp/bin/node-gyp.js"
  [[ -f "$gyp" ]] || gyp="$(command -v node-gyp || true)"
  [[ -n "$gyp" ]] || die "node-gyp not found (it ships with npm; or apt-get install node-gyp)"
  echo "$gyp"
}

# Node's own headers, so node-gyp does not try to download them.
node_dir() {
  local dir
  dir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [[ -f "$dir/include/node/node_api.h" && -f "$dir/include/node/common.gypi" ]] ||
    die "Node headers missing under $dir/include/node (NodeSource's nodejs ships them)"
  echo "$dir"
}

build_binding() {
  log "compiling tfjs-node's binding against TensorFlow $TF_VERSION"
  mkdir -p "$MODULE/deps"
  ln -sfn "$CACHE/tf/include" "$MODULE/deps/include"
  ln -sfn "$CACHE/tf/lib" "$MODULE/deps/lib"
  # $ORIGIN is the path the loader opened (through deps/lib), so ../nvidia must exist there too.
  if [[ $GPU == 1 ]]; then ln -sfn "$CACHE/tf/nvidia" "$MODULE/deps/nvidia"; else rm -f "$MODULE/deps/nvidia"; fi
  local gyp nodedir
  gyp="$(node_gyp)"
  nodedir="$(node_dir)"
  (cd "$MODULE" && node "$gyp" rebuild --nodedir="$nodedir" -j "$(nproc)" --loglevel=error \
    --module_name=tfjs_binding --module_path="$MODULE/lib/napi-v$NAPI_VERSION" \
    --napi_build_version="$NAPI_VERSION") >"$CACHE/build.log" 2>&1 ||
    die "node-gyp build failed; see $CACHE/build.log"
}

main() {
  if already_done; then
    log "native TensorFlow backend present ($STAMP_TEXT)"
    return
  fi
  command -v node >/dev/null || die "node is missing"
  fetch_wheel
  extract_wheel
  [[ $GPU == 1 ]] && install_cuda_libraries
  install_tfjs_node
  apply_patches
  share_project_tfjs
  build_binding
  binding_loads || die "the built binding does not load: (cd $PREFIX && node -e \"require('$BINDING')\")"
  echo "$STAMP_TEXT" >"$STAMP"
  log "ready: $TF_PACKAGE==$TF_VERSION; initBackend() now picks 'tensorflow'"
}

main
