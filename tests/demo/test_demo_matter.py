"""The demo's matter of the month: made from the largest cluster of last month, once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from demo.entries import demo_seed_entries
from demo.matters import demo_seed_matter
from feedback.models import MonthlyMatter
from feedback.selectors.hot_topics import hot_topics
from liaison.models import OrgNode, User

SEED_DAY = dt.date(2026, 11, 20)


def test_the_demo_makes_one_matter_from_last_month_s_largest_cluster(db, client):
    call_command("seed_demo", "--scale", "small", "--yes", stdout=StringIO())
    demo_seed_entries(count=600, today=SEED_DAY)
    matter = demo_seed_matter(today=SEED_DAY)
    assert matter is not None
    root = OrgNode.objects.get(depth=1)
    largest = hot_topics(node=root, month=dt.date(2026, 10, 1)).clusters[0]
    assert matter.month == dt.date(2026, 10, 1)
    assert matter.title == largest.title
    assert sorted(matter.entries.values_list("pk", flat=True)) == sorted(
        e.pk for e in largest.entries
    )
    assert demo_seed_matter(today=SEED_DAY) is None  # once
    assert MonthlyMatter.objects.count() == 1
    client.force_login(User.objects.get(username="dangjian"))
    page = client.get("/feedback/dashboard/").content.decode()
    assert matter.title in page
