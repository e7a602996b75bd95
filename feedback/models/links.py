"""Signed rating links (R8): one per replied entry, for the informant without an account."""

__all__: list[str] = []
