"""Every write of the feedback app: keyword-only, one transaction, an event or audit row each.

- ratings: rating_record (a return visit, or through a link);
- rating_links: rating_link_issue (made with a referral or a reply), rating_link_reissue,
  rating_link_rate;
- rollups, rollup_cells: the roll-up jobs (rollups_refresh, rollups_rebuild) and what each
  entry, rating and visit adds to which cell;
- campaigns, campaign_pairs, reminders: the reverse evaluation's campaign (create, weights,
  proposal, open, close), pairs by hand, reminders by email;
- answers: evaluation_submit (a rater's answers);
- assessment: assessment_compute (the year's assessment table).
"""
