# Issue #19's module renames, OLD -> NEW, for branches written against the old paths (GNU sed):
#   find . -name '*.py' -not -path './.venv/*' | xargs sed -i -f scripts/renames-19.sed
# (scripts/renames-19.sh does that and also renames the bare `keys.` uses in files that import the keys
# modules.) Then `ruff check --fix . && ruff format .` sorts the imports again. A `from herald.data import a, b`
# line that names a moved module among others is left as it is: ruff's F401/F821 and mypy name it.

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
s/\bherald\.models\.notification_endpoints\b/herald.families.influxdb.wire/g
s#herald/models/notification_endpoints.py#herald/families/influxdb/wire.py#g
s/^\( *\)from herald\.models import notification_endpoints as /\1from herald.families.influxdb import wire as /
s/^\( *\)from herald\.models import notification_endpoints$/\1from herald.families.influxdb import wire as notification_endpoints/
s/\bherald\.domain\.notification_endpoints\b/herald.families.influxdb.service/g
s#herald/domain/notification_endpoints.py#herald/families/influxdb/service.py#g
s/^\( *\)from herald\.domain import notification_endpoints as /\1from herald.families.influxdb import service as /
s/^\( *\)from herald\.domain import notification_endpoints$/\1from herald.families.influxdb import service as notification_endpoints/
s/\bherald\.data\.notification_endpoints\b/herald.families.influxdb.store/g
s#herald/data/notification_endpoints.py#herald/families/influxdb/store.py#g
s/^\( *\)from herald\.data import notification_endpoints as /\1from herald.families.influxdb import store as /
s/^\( *\)from herald\.data import notification_endpoints$/\1from herald.families.influxdb import store as notification_endpoints/
s/\bherald\.routing\.influxdb\b/herald.families.influxdb.routing/g
s#herald/routing/influxdb.py#herald/families/influxdb/routing.py#g
s/^\( *\)from herald\.routing import influxdb as /\1from herald.families.influxdb import routing as /
s/^\( *\)from herald\.routing import influxdb$/\1from herald.families.influxdb import routing as influxdb/
s/\bherald\.models\.notification_groups\b/herald.families.mackerel.wire/g
s#herald/models/notification_groups.py#herald/families/mackerel/wire.py#g
s/^\( *\)from herald\.models import notification_groups as /\1from herald.families.mackerel import wire as /
s/^\( *\)from herald\.models import notification_groups$/\1from herald.families.mackerel import wire as notification_groups/
s/\bherald\.domain\.notification_groups\b/herald.families.mackerel.service/g
s#herald/domain/notification_groups.py#herald/families/mackerel/service.py#g
s/^\( *\)from herald\.domain import notification_groups as /\1from herald.families.mackerel import service as /
s/^\( *\)from herald\.domain import notification_groups$/\1from herald.families.mackerel import service as notification_groups/
s/\bherald\.data\.notification_groups\b/herald.families.mackerel.store/g
s#herald/data/notification_groups.py#herald/families/mackerel/store.py#g
s/^\( *\)from herald\.data import notification_groups as /\1from herald.families.mackerel import store as /
s/^\( *\)from herald\.data import notification_groups$/\1from herald.families.mackerel import store as notification_groups/
s/\bherald\.routing\.mackerel\b/herald.families.mackerel.routing/g
s#herald/routing/mackerel.py#herald/families/mackerel/routing.py#g
s/^\( *\)from herald\.routing import mackerel as /\1from herald.families.mackerel import routing as /
s/^\( *\)from herald\.routing import mackerel$/\1from herald.families.mackerel import routing as mackerel/
s/\bherald\.models\.grafana\b/herald.families.grafana.wire/g
s#herald/models/grafana.py#herald/families/grafana/wire.py#g
s/^\( *\)from herald\.models import grafana as /\1from herald.families.grafana import wire as /
s/^\( *\)from herald\.models import grafana$/\1from herald.families.grafana import wire as grafana/
s/\bherald\.domain\.grafana_channels\b/herald.families.grafana.service/g
s#herald/domain/grafana_channels.py#herald/families/grafana/service.py#g
s/^\( *\)from herald\.domain import grafana_channels as /\1from herald.families.grafana import service as /
s/^\( *\)from herald\.domain import grafana_channels$/\1from herald.families.grafana import service as grafana_channels/
s/\bherald\.domain\.grafana_notifiers\b/herald.families.grafana.notifiers/g
s#herald/domain/grafana_notifiers.py#herald/families/grafana/notifiers.py#g
s/^\( *\)from herald\.domain import grafana_notifiers as /\1from herald.families.grafana import notifiers as /
s/^\( *\)from herald\.domain import grafana_notifiers$/\1from herald.families.grafana import notifiers as grafana_notifiers/
s/\bherald\.domain\.grafana_reminders\b/herald.families.grafana.reminders/g
s#herald/domain/grafana_reminders.py#herald/families/grafana/reminders.py#g
s/^\( *\)from herald\.domain import grafana_reminders as /\1from herald.families.grafana import reminders as /
s/^\( *\)from herald\.domain import grafana_reminders$/\1from herald.families.grafana import reminders as grafana_reminders/
s/\bherald\.data\.grafana_channels\b/herald.families.grafana.store/g
s#herald/data/grafana_channels.py#herald/families/grafana/store.py#g
s/^\( *\)from herald\.data import grafana_channels as /\1from herald.families.grafana import store as /
s/^\( *\)from herald\.data import grafana_channels$/\1from herald.families.grafana import store as grafana_channels/
s/\bherald\.data\.grafana_incidents\b/herald.families.grafana.incidents/g
s#herald/data/grafana_incidents.py#herald/families/grafana/incidents.py#g
s/^\( *\)from herald\.data import grafana_incidents as /\1from herald.families.grafana import incidents as /
s/^\( *\)from herald\.data import grafana_incidents$/\1from herald.families.grafana import incidents as grafana_incidents/
s/\bherald\.routing\.grafana\b/herald.families.grafana.routing/g
s#herald/routing/grafana.py#herald/families/grafana/routing.py#g
s/^\( *\)from herald\.routing import grafana as /\1from herald.families.grafana import routing as /
s/^\( *\)from herald\.routing import grafana$/\1from herald.families.grafana import routing as grafana/
s/\bherald\.models\.oncall\b/herald.families.oncall.wire/g
s#herald/models/oncall.py#herald/families/oncall/wire.py#g
s/^\( *\)from herald\.models import oncall as /\1from herald.families.oncall import wire as /
s/^\( *\)from herald\.models import oncall$/\1from herald.families.oncall import wire as oncall/
s/\bherald\.domain\.oncall\b/herald.families.oncall.service/g
s#herald/domain/oncall.py#herald/families/oncall/service.py#g
s/^\( *\)from herald\.domain import oncall as /\1from herald.families.oncall import service as /
s/^\( *\)from herald\.domain import oncall$/\1from herald.families.oncall import service as oncall/
s/\bherald\.domain\.escalations\b/herald.families.oncall.escalations/g
s#herald/domain/escalations.py#herald/families/oncall/escalations.py#g
s/^\( *\)from herald\.domain import escalations as /\1from herald.families.oncall import escalations as /
s/^\( *\)from herald\.domain import escalations$/\1from herald.families.oncall import escalations/
s/\bherald\.data\.oncall\b/herald.families.oncall.store/g
s#herald/data/oncall.py#herald/families/oncall/store.py#g
s/^\( *\)from herald\.data import oncall as /\1from herald.families.oncall import store as /
s/^\( *\)from herald\.data import oncall$/\1from herald.families.oncall import store as oncall/
s/\bherald\.routing\.oncall\b/herald.families.oncall.routing/g
s#herald/routing/oncall.py#herald/families/oncall/routing.py#g
s/^\( *\)from herald\.routing import oncall as /\1from herald.families.oncall import routing as /
s/^\( *\)from herald\.routing import oncall$/\1from herald.families.oncall import routing as oncall/
s/\bprincipal(\(app\|router\))/principal()/g
s#functions/alert_notifications\b#functions/grafana#g
s#events/alert_notifications/#events/grafana/#g
s#openapi/alert_notifications\.json#openapi/grafana.json#g
s#functions/notification_endpoints\b#functions/influxdb#g
s#events/notification_endpoints/#events/influxdb/#g
s#openapi/notification_endpoints\.json#openapi/influxdb.json#g
s#functions/notification_groups\b#functions/mackerel#g
s#events/notification_groups/#events/mackerel/#g
s#openapi/notification_groups\.json#openapi/mackerel.json#g
s#functions/alerts\b#functions/uptime#g
s#events/alerts/#events/uptime/#g
s#openapi/alerts\.json#openapi/uptime.json#g
s#functions/personal_notification_rules\b#functions/oncall#g
s#events/personal_notification_rules/#events/oncall/#g
s#openapi/personal_notification_rules\.json#openapi/oncall.json#g
# The families' error bodies left herald/api/errors.py (which keeps Herald's own, uptime_error) for their wire.py
s/^\( *\)from herald\.api\.errors import \(influx_[a-z_, ]*\)$/\1from herald.families.influxdb.wire import \2/
s/^\( *\)from herald\.api\.errors import mackerel_error$/\1from herald.families.mackerel.wire import mackerel_error/
s/^\( *\)from herald\.api\.errors import grafana_error$/\1from herald.families.grafana.wire import grafana_error/
s/^\( *\)from herald\.api\.errors import \(oncall_[a-z_, ]*\)$/\1from herald.families.oncall.wire import \2/
