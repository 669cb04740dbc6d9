"""API models (what each family accepts and returns) and storage records."""
