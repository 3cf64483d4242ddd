"""Small operator tools (measurement scripts)."""
