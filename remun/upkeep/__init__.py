"""Running Remun in production: backup and restore, scheduled checks, health and metrics (no Flask here)."""
