#!/usr/bin/env bash
# Checks the Debian packages the service and its tests need; installs what is
# missing when run as root, otherwise names the command to run.
# poppler-utils (pdftoppm, to look at rendered PDFs) is useful but not required: it is
# installed when we are root, never demanded otherwise.
set -euo pipefail

# Read the linker cache once: `ldconfig -p | grep -q` can fail under pipefail when
# grep exits early and ldconfig gets SIGPIPE.
libs=$(ldconfig -p 2>/dev/null || true)

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
grep -q "libpango-1.0.so" <<< "$libs" || missing+=(libpango-1.0-0)
grep -q "libpangoft2-1.0.so" <<< "$libs" || missing+=(libpangoft2-1.0-0)
# The PDFs are set in DejaVu Sans; without it WeasyPrint falls back to whatever is there.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
optional=()
command -v pdftoppm > /dev/null || optional+=(poppler-utils)

if [ "$(id -u)" -eq 0 ]; then
    wanted=("${missing[@]}" "${optional[@]}")
    [ ${#wanted[@]} -eq 0 ] && exit 0
    echo "Installing system packages: ${wanted[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}"
elif [ ${#missing[@]} -gt 0 ]; then
    echo "error: these system packages are missing: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
