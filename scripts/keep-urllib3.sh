#!/bin/sh
# grafana-client pulls in niquests → urllib3-future, whose .pth file replaces the real urllib3 package at every
# interpreter start. botocore and schemathesis need the real one; niquests works from the urllib3_future package.
# Usage: scripts/keep-urllib3.sh VENV
set -eu
venv="$1"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [ -f "$site/urllib3_future.pth" ]; then
  rm -f "$site/urllib3_future.pth"
  rm -rf "$site/urllib3" "$site"/urllib3-*.dist-info
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$(grep '^urllib3==' requirements-dev.txt)"
fi
