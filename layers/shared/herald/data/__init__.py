"""Data access: key builders, the table handle and one repository per entity."""
