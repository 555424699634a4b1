#!/usr/bin/env bash
# Measures the CPU 'mtviz watch' uses showing a tree of 50 processes and 500
# threads at 10 Hz, next to htop refreshing at 10 Hz (htop -d 1), on the
# same machine at the same time, the tree made by bench/tree.py. Needs tmux,
# htop and python3. Not part of CI.
#
# Usage: bench/watch-vs-htop.sh [SECONDS]     (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
for c in tmux htop python3; do
  command -v "$c" >/dev/null || { echo "needs $c" >&2; exit 2; }
done
mkdir -p bench/out
go build -o bench/out/mtviz ./cmd/mtviz

tag="mtviz-watch-bench-$$"
python3 bench/tree.py $((secs + 10)) &
tree=$!
cleanup() {
  tmux kill-session -t "$tag-m" 2>/dev/null || true
  tmux kill-session -t "$tag-h" 2>/dev/null || true
  kill "$tree" 2>/dev/null || true
  wait "$tree" 2>/dev/null || true
}
trap cleanup EXIT
sleep 2
tmux new-session -d -s "$tag-m" -x 160 -y 48 "exec bench/out/mtviz watch --hz 10 --pid $tree"
tmux new-session -d -s "$tag-h" -x 160 -y 48 "exec htop -d 1"
sleep 3
mpid=$(tmux list-panes -t "$tag-m" -F '#{pane_pid}')
hpid=$(tmux list-panes -t "$tag-h" -F '#{pane_pid}')

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" | tr -d '\n'; }
hz=$(getconf CLK_TCK)
m0=$(ticks "$mpid"); h0=$(ticks "$hpid"); t0=$(date +%s.%N)
sleep "$secs"
m1=$(ticks "$mpid"); h1=$(ticks "$hpid"); t1=$(date +%s.%N)
threads=$(ls /proc/"$tree"/task | wc -l)

awk -v m="$((m1 - m0))" -v h="$((h1 - h0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN {
  dt = t1 - t0
  mp = m / hz / dt * 100; hp = h / hz / dt * 100
  printf "| program | CPU (%% of one core) over %.0f s |\n|---|---|\n", dt
  printf "| mtviz watch --pid (tree of 50 processes, 500 threads, 10 Hz) | %.2f%% |\n", mp
  printf "| htop -d 1 (10 Hz) | %.2f%% |\n", hp
  if (hp > 0) printf "\nmtviz / htop = %.2f\n", mp / hp
}'
