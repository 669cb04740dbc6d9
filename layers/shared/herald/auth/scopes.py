"""Every scope a key can carry."""

ALL_SCOPES: tuple[str, ...] = (
    "alerts:read",
    "alerts:write",
    "events:read",
    "events:write",
    "endpoints:read",
    "endpoints:write",
    "notifications:read",
    "notifications:write",
    "channels:read",
    "channels:write",
    "groups:read",
    "groups:write",
    "rules:read",
    "rules:write",
    "users:read",
    "templates:read",
    "templates:write",
    "operator:read",
)
