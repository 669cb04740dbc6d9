"""User templates for delivery kinds: a sandboxed engine, per-kind escaping, a store and a preview."""
