#!/bin/sh
# Prints the path of a working Python 3.12 interpreter: on PATH first, then pyenv's versions.
for candidate in python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
    "$candidate" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for candidate in "$root"/versions/3.12*/bin/python3.12; do
  if [ -x "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then
    echo "$candidate"
    exit 0
  fi
done
echo "Python 3.12 not found: install it (or pyenv install 3.12) and try again" >&2
exit 1
