#!/bin/sh
# screenshot.sh THEME OUT.png [LESSON [SECONDS]]: a picture of mtviz on
# screen, as a terminal with a THEME (light or dark) background shows it.
#
# mtviz runs LESSON (default race) under --theme THEME in a 120x34 pane of
# a private tmux server; after SECONDS (default 6) the pane is captured with
# its colours (tmux capture-pane -e), turned into HTML on a white or black
# page (aha), and drawn to a PNG by headless Chromium in DejaVu Sans Mono.
# Needs: go, tmux, aha, chromium, fonts-dejavu-core
#   (apt-get install -y tmux aha chromium fonts-dejavu-core).
# Run from the repository's root:
#   sh scripts/screenshot.sh light docs/screen-light.png
#   sh scripts/screenshot.sh dark docs/screen-dark.png
set -eu
theme=${1:?usage: screenshot.sh light|dark OUT.png [LESSON [SECONDS]]}
out=${2:?usage: screenshot.sh light|dark OUT.png [LESSON [SECONDS]]}
lesson=${3:-race}
wait=${4:-6}
case $theme in
light) page=white ink=black ;;
dark) page=black ink='#d0d0d0' ;;
*) echo "screenshot.sh: the theme is light or dark, not $theme" >&2; exit 2 ;;
esac
cols=120 rows=34 px=14 line=17 pad=12
sock=mtviz-shot-$$
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/mtviz" ./cmd/mtviz
# A server of its own with no configuration: a person's tmux is not touched.
tmux -L "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
	"env TERM=xterm-256color $tmp/mtviz --theme $theme run $lesson; sleep 60"
sleep "$wait"
tmux -L "$sock" capture-pane -e -p -t 0 >"$tmp/screen.ansi"
{
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"><style>\n'
	printf 'html,body{margin:0;background:%s;color:%s}\n' "$page" "$ink"
	printf "pre{margin:0;padding:%dpx;font:%dpx/%dpx 'DejaVu Sans Mono',monospace}\n" "$pad" "$px" "$line"
	printf '</style></head><body><pre>'
	aha --no-header <"$tmp/screen.ansi"
	printf '</pre></body></html>\n'
} >"$tmp/screen.html"
# DejaVu Sans Mono's cells are 0.602 of the font size wide; Chromium lays
# them out a little wider: room for one more.
width=$(awk -v c="$cols" -v p="$px" -v pad="$pad" 'BEGIN { printf "%d", (c + 1) * p * 0.602 + 2 * pad }')
height=$((rows * line + 2 * pad))
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
	--window-size="$width,$height" --screenshot="$tmp/screen.png" "file://$tmp/screen.html" 2>/dev/null
cp "$tmp/screen.png" "$out"
echo "$out: $(wc -c <"$out") bytes, ${width}x${height}"
