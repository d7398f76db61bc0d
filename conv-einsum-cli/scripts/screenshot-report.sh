#!/usr/bin/env bash
# Renders a conv-einsum report page in headless Chromium (Debian's `chromium`) to a PNG, so a
# person (or a reviewer's image viewer) can check it as a browser shows it: labels readable,
# tables and figures present. No network is needed: the page and its figures are local files.
#
#   conv-einsum-cli/scripts/screenshot-report.sh DIR/index.html OUT.png [WIDTH [HEIGHT]]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 PAGE.html OUT.png [WIDTH [HEIGHT]]" >&2
  exit 2
fi
page="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
width="${3:-1400}"
height="${4:-4000}"
[ -f "$page" ] || { echo "$0: no page at $page" >&2; exit 1; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "$0: no chromium on PATH (Debian: apt-get install chromium)" >&2; exit 1; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: containers often run as root, where Chromium's sandbox refuses to start.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${width},${height}" --screenshot="$(realpath -m "$out")" "file://$page" \
  >/dev/null 2>&1
[ -s "$out" ] || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
echo "$out"
