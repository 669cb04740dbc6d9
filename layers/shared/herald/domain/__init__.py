"""Domain logic: what each API operation and each pipeline stage does."""
