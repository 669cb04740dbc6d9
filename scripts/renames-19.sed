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
s/\bherald\.models\.alerts\b/herald.families.uptime.wire/g
s#herald/models/alerts.py#herald/families/uptime/wire.py#g
s/^\( *\)from herald\.models import alerts as /\1from herald.families.uptime import wire as /
s/^\( *\)from herald\.models import alerts$/\1from herald.families.uptime import wire as alerts/
s/\bherald\.domain\.alerts\b/herald.families.uptime.service/g
s#herald/domain/alerts.py#herald/families/uptime/service.py#g
s/^\( *\)from herald\.domain import alerts as /\1from herald.families.uptime import service as /
s/^\( *\)from herald\.domain import alerts$/\1from herald.families.uptime import service as alerts/
s/\bherald\.data\.alerts\b/herald.families.uptime.store/g
s#herald/data/alerts.py#herald/families/uptime/store.py#g
s/^\( *\)from herald\.data import alerts as /\1from herald.families.uptime import store as /
s/^\( *\)from herald\.data import alerts$/\1from herald.families.uptime import store as alerts/
s/\bherald\.routing\.uptime\b/herald.families.uptime.routing/g
s#herald/routing/uptime.py#herald/families/uptime/routing.py#g
s/^\( *\)from herald\.routing import uptime as /\1from herald.families.uptime import routing as /
s/^\( *\)from herald\.routing import uptime$/\1from herald.families.uptime import routing as uptime/
s/\bherald\.data\.cooldowns\b/herald.families.uptime.cooldowns/g
s#herald/data/cooldowns.py#herald/families/uptime/cooldowns.py#g
s/^\( *\)from herald\.data import cooldowns as /\1from herald.families.uptime import cooldowns as /
s/^\( *\)from herald\.data import cooldowns$/\1from herald.families.uptime import cooldowns/
