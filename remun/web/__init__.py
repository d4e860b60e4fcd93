"""The web front end: thin blueprints over Remun's domain modules."""
