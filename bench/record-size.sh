#!/usr/bin/env bash
# Records a 60-second run of gil (bench/gil-60s.yaml: gil with 20 s phases)
# and prints the recording's size. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
go build -o bench/out/mtviz ./cmd/mtviz
bench/out/mtviz run bench/gil-60s.yaml --headless --record bench/out/gil-60s.jsonl > /dev/null || true
ls -l bench/out/gil-60s.jsonl | awk '{printf "gil, 60 s: %.2f MB recorded\n", $5/1048576}'
