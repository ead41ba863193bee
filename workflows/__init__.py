"""The one-stop domain: procedures, dossiers, users and roles, built on the engine."""
