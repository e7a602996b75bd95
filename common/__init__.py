"""Small neutral helpers that every app may use; common imports no app of the project."""
