#!/usr/bin/env bash
# Install the Debian packages the tests need and pip cannot provide: Chromium (browser tests),
# PostgreSQL (the second database), Pango (PDF rendering), Poppler's pdftotext/pdftoppm (the
# report tests read the rendered PDFs back) and nginx with openssl (`nginx -t` checks the
# deployment example's site file with a throwaway certificate; the tests never start it). Does
# nothing when all are there.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext > /dev/null || missing+=(poppler-utils)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl > /dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo > /dev/null; then
  SUDO=(sudo)
else
  echo "Please install these Debian packages (as root): ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core > /dev/null
