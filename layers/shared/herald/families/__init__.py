"""The five API families, one folder each: routes.py (the Router, a scope beside each route), wire.py (the
product's bodies, messages and error shape), service.py (the operations), store.py (its items) and
routing.py (which destinations an event reaches). docs/architecture.md has the table."""
