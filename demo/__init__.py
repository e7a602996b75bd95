"""Demo data for `manage.py seed_demo`: a power-supply company shaped like the two articles.

One deterministic generator (`plan.py`, drawing on the word lists in `words.py` with a
`random.Random` seeded per branch code) describes the whole province-scale company: 15
committees, 2 general branches, 122 branches, over 2,000 party members, over 300 teams and
stations, and the pairings of every kind in the proportions of the Jilin article. The small
scale is a subset of that same description: seven of its branches (office and grassroots, in
three committees and a general branch) and the first twelve employees of each, with the
pairings whose two sides are both in the subset.

Idempotent by code. Every org node, unit and person has a code ("DEMO", "DEMO-K02-B03-P007"); a
run creates the rows whose code is missing and leaves existing rows as they are. Pairings have
no code: a run creates a pairing only when no pairing with the same kind, sides and start date
exists, so running twice adds nothing, and province after small adds exactly the rest of the
province (small after province adds nothing). The logins are reset on every run (role, scope,
person, password) so that a demo login always works; but an account that has a demo login's
username and is not a demo login (its person is not a demo person, or, for the administrator,
who has none, its scope is not the demo company) stops the run: it is someone's real account.

The demo refuses to run when the org tree already has a different company at the top: the tree
holds one company, and demo rows do not belong in a real one.
"""
