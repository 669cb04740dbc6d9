#!/usr/bin/env bash
# Applies issue #19's renames to a branch written against the old module paths: the import lines
# (scripts/renames-19.sed) and, in files that import the renamed keys modules, their bare `keys.` uses.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.py' '*.md' '*.yaml' '*.toml' | grep -v '^scripts/renames-19')
sed -i -f scripts/renames-19.sed "${files[@]}"
for module in table_keys:data api_keys:auth; do
    name=${module%%:*} package=${module##*:}
    for file in $(grep -lE "^ *from herald\.$package import [^#]*\b$name\b" "${files[@]}" || true); do
        perl -pi -e "s/(?<![\w.])keys\.(?=[A-Za-z_])/$name./g unless /^\s*from herald\.$package import /" "$file"
    done
done
