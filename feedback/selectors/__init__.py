"""Every read of the feedback app, scoped to the user (who may read what: feedback.permissions).

- ratings: an entry's ratings, the informant's link and its state; entry_panels: what the
  entry page and the referral sheet show of them;
- figures, rankings, dashboard: the dashboards' figures from the roll-up tables, by unit and
  ranked, and the dashboard page; home_panels: the home page's card of the satisfaction of the
  user's scope;
- proposal, campaigns, answers, results, assessment: the reverse evaluation's proposal of who
  rates whom, the campaign pages, the rater's link, the results, the assessment table.
"""
