"""The feedback app's models: ratings, signed rating links, the roll-up tables, and the annual
reverse evaluation.

Each module lists what it offers in its __all__.
"""

from feedback.models.evaluations import *  # noqa: F403
from feedback.models.links import *  # noqa: F403
from feedback.models.ratings import Rating, ReturnVisit
from feedback.models.rollups import *  # noqa: F403

__all__ = ["Rating", "ReturnVisit"]
