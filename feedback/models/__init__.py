"""The feedback app's models: ratings, signed rating links, the roll-up tables, the annual
reverse evaluation, and the matters of the month.

Each module lists what it offers in its __all__.
"""

from feedback.models.channel_rollups import *  # noqa: F403
from feedback.models.closing import *  # noqa: F403
from feedback.models.evaluations import *  # noqa: F403
from feedback.models.links import *  # noqa: F403
from feedback.models.matters import MatterEntry, MonthlyMatter
from feedback.models.ratings import Rating, ReturnVisit
from feedback.models.rollups import *  # noqa: F403

__all__ = ["MatterEntry", "MonthlyMatter", "Rating", "ReturnVisit"]
