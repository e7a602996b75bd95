"""The feedback app's models: ratings, signed rating links, and the roll-up tables.

Each module lists what it offers in its __all__.
"""

from feedback.models.links import *  # noqa: F403
from feedback.models.ratings import Rating
from feedback.models.rollups import *  # noqa: F403

__all__ = ["Rating"]
