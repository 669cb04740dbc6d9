"""Per-family routing: which destinations an event reaches."""
