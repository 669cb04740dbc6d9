"""API keys, scopes and the one authentication step every family shares."""
