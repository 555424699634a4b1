#!/usr/bin/env bash
# Runs every test the way CI does: gofmt, go mod tidy, go vet, staticcheck,
# go test.
# The terminal tests drive mtviz in tmux; if tmux is missing and this
# machine has apt-get, it is installed first.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v tmux >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing tmux for the terminal tests" >&2
    apt-get update -qq >/dev/null && apt-get install -y -qq tmux >/dev/null
  else
    echo "test.sh: the terminal tests need tmux; install it (e.g. sudo apt-get install -y tmux)" >&2
    exit 2
  fi
fi
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change: $unformatted" >&2
  exit 1
fi
if ! go mod tidy -diff >/dev/null; then
  echo "test.sh: go.mod or go.sum is not tidy; run go mod tidy (go mod tidy -diff shows what would change)" >&2
  exit 1
fi
go vet ./...
# staticcheck, pinned; fetched through the module proxy the first time.
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# -p 1: lessons measure CPU use, so test packages must not compete for cores.
go test -race -p 1 -count=1 -timeout 20m ./...
# The tests that hold CPU figures to a lesson's bounds skip under -race (the
# detector's own cost would be measured): run them as mtviz is built.
exec go test -p 1 -count=1 -timeout 10m -run 'TestLessonGIL|TestProcessLessons/async' ./internal/session
