"""Herald: the shared layer (models, data access, routing, channels, errors, auth)."""
