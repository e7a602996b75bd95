"""Forms of the feedback app: they check the shape of the input; the services decide.

- ratings: a rating on a return visit, and through the informant's link;
- dashboards: the dashboard's node and period;
- campaigns, answers, results: the campaign pages, the rater's answers, the results' query.
"""
