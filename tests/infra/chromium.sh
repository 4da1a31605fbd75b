#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium (and the DejaVu fonts the training reports are drawn with) for the
# tests that render a report in a real browser. Debian's package; nothing is cached outside apt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

apt_install chromium fonts-dejavu-core
version=$(chromium --version 2>/dev/null) || fail "chromium does not run (run: apt-get install -y chromium)" tests/infra/chromium.sh
ready chromium "$version"
