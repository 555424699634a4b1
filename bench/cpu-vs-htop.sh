#!/usr/bin/env bash
# Measures the CPU mtviz uses while showing a running lesson at 10 Hz, next
# to htop refreshing at 10 Hz (htop -d 1), on the same machine at the same
# time. Needs tmux and htop (apt-get install -y tmux htop). Not part of CI.
#
# Usage: bench/cpu-vs-htop.sh [SECONDS]     (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
command -v tmux >/dev/null || { echo "needs tmux (apt-get install -y tmux)" >&2; exit 2; }
command -v htop >/dev/null || { echo "needs htop (apt-get install -y htop)" >&2; exit 2; }
mkdir -p bench/out
go build -o bench/out/mtviz ./cmd/mtviz

tag="mtviz-bench-$$"
cleanup() { tmux kill-session -t "$tag-m" 2>/dev/null || true; tmux kill-session -t "$tag-h" 2>/dev/null || true; }
trap cleanup EXIT

tmux new-session -d -s "$tag-m" -x 160 -y 48 "exec bench/out/mtviz run bench/idle.yaml --hz 10 --go-trace ${TRACE:-auto}"
tmux new-session -d -s "$tag-h" -x 160 -y 48 "exec htop -d 1"
sleep 3
mpid=$(tmux list-panes -t "$tag-m" -F '#{pane_pid}')
hpid=$(tmux list-panes -t "$tag-h" -F '#{pane_pid}')

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" | tr -d '\n'; }
hz=$(getconf CLK_TCK)
m0=$(ticks "$mpid"); h0=$(ticks "$hpid"); t0=$(date +%s.%N)
sleep "$secs"
m1=$(ticks "$mpid"); h1=$(ticks "$hpid"); t1=$(date +%s.%N)

awk -v m="$((m1 - m0))" -v h="$((h1 - h0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {
  dt = t1 - t0
  mp = m / hz / dt * 100; hp = h / hz / dt * 100
  printf "| program | CPU (%% of one core) over %.0f s |\n|---|---|\n", dt
  printf "| mtviz run idle (10 Hz probe, 10 fps) | %.2f%% |\n", mp
  printf "| htop -d 1 (10 Hz) | %.2f%% |\n", hp
  if (hp > 0) printf "\nmtviz / htop = %.2f\n", mp / hp
}'
