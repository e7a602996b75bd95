"""The annual reverse evaluation (逆向评价, R12) and the assessment table (年度考核).

- proposal.py, campaigns.py: who rates whom (proposed from pairings and memberships), the
  campaign's life (draft → open → closed), progress and reminders;
- answers.py: the rater's signed link and answers; results.py: results per ratee and by level;
  assessment.py: the year's assessment table per branch and per cadre.
"""
