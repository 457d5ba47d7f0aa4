#!/usr/bin/env bash
# Everything bench/harness.py needs on a fresh Debian machine with the Rust
# toolchain: wrk, nginx and strace from Debian's packages (when missing),
# the peers (bench/peers, built from crates.io at the versions its
# Cargo.lock pins), and the servers of this repository, in release builds.
#
#   bench/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in wrk nginx strace taskset; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    packages=("${missing[@]/taskset/util-linux}")
    echo "installing ${packages[*]}"
    apt-get install -y "${packages[@]}" || { apt-get update && apt-get install -y "${packages[@]}"; }
fi
cargo build --release --locked --manifest-path bench/peers/Cargo.toml
cargo build --release --locked -p ch07-workers --example server
cargo build --release --locked -p ch08-pooling --example pooled
cargo build --release --locked -p ch09-timeouts --bin timed
cargo build --release --locked -p eventcore --bin eventcore
echo "ready: bench/harness.py series -n 3"
