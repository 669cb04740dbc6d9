"""Read models the console shows: the last 24 h of deliveries, destinations' health, dead-letter depth."""
