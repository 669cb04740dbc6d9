# Issue #19's module renames, OLD -> NEW, for branches written against the old paths (GNU sed):
#   find . -name '*.py' -not -path './.venv/*' | xargs sed -i -f scripts/renames-19.sed
# Then `ruff check --fix . && ruff format .` sorts the imports again; ruff's F821 and mypy name any
# remaining bare `keys.` use of a module that became `table_keys`/`api_keys`.

# One name per thing
s/\bherald\.channels\b/herald.senders/g
s#herald/channels/#herald/senders/#g
s/\bherald\.auth\.keys\b/herald.auth.api_keys/g
s/\bherald\.data\.keys\b/herald.data.table_keys/g
/^ *from herald\.data import /s/\bkeys\b/table_keys/
/^ *from herald\.auth import /s/\bkeys\b/api_keys/
