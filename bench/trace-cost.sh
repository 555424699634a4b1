#!/usr/bin/env bash
# Measures what reading the Go runtime's trace live costs the busy lessons:
# the median time of race's locked phase (lock-heavy: goroutines block and
# wake constantly) and of gil's free phase (CPU-bound work per second), with
# the trace on and off. Needs python3. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
go build -o bench/out/mtviz ./cmd/mtviz
for trace in false true; do
  bench/out/mtviz run race --json --go-trace=$trace > bench/out/race-$trace.jsonl || true
  bench/out/mtviz run gil --json --go-trace=$trace > bench/out/gil-$trace.jsonl || true
done
python3 - <<'PY'
import json, statistics
def race(path):
    start, out = None, []
    for line in open(path):
        o = json.loads(line)
        if o["type"] != "event": continue
        if o["kind"] == "phase" and o["phase"] == "locked": start = o["t"]
        if o["kind"] == "log" and "with the lock" in o["text"] and start is not None:
            out.append(o["t"] - start)
    return statistics.median(out) * 1000
def gil(path):
    work, t0, t1 = None, None, None
    for line in open(path):
        o = json.loads(line)
        if o["type"] != "event": continue
        if o["kind"] == "phase" and o["phase"] == "free": t0 = o["t"]
        if o["kind"] == "phase" and o["phase"] == "gil": t1 = o["t"]
        if o["kind"] == "round_end": work = o["values"]["free_work"]
    return work / (t1 - t0)
off, on = race("bench/out/race-false.jsonl"), race("bench/out/race-true.jsonl")
print("| lesson phase | trace off | trace on | cost |")
print("|---|---|---|---|")
print(f"| race, locked phase (median of 10 rounds) | {off:.1f} ms | {on:.1f} ms | {100*(on-off)/off:+.0f}% |")
goff, gon = gil("bench/out/gil-false.jsonl"), gil("bench/out/gil-true.jsonl")
print(f"| gil, free phase (work units per second) | {goff/1e6:.2f} M/s | {gon/1e6:.2f} M/s | {100*(goff-gon)/goff:+.0f}% |")
PY
