"""Which roles a session is for, and sessions a participant tells the project about (issue 16)."""
