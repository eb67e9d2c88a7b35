#!/usr/bin/env bash
# Installs the Debian packages shelfssl uses when they are missing (root or sudo needed):
#   dataset-fashion-mnist  real product photos for the demo shelves and tests
#   python3-numpy          checks that the .npy feature shards load in numpy
#   python3-sklearn        the independent reference the linear-evaluation test compares against
#   python3-torch          the PyTorch CPU reference for `npm run bench` (only with --bench)
set -euo pipefail
pkgs=(dataset-fashion-mnist python3-numpy python3-sklearn)
if [[ "${1:-}" == "--bench" ]]; then pkgs+=(python3-torch libopenblas0); fi
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-machine: Debian packages present (${pkgs[*]})"
  exit 0
fi
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "setup-machine: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
