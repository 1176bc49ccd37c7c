"""结果运用 (follow-up of results, issue 12): what a cycle's results lead to.

- ``candidates``: the 评先评优 candidate list per branch and township, by the scheme's rules;
- ``cases``: 处置 cases for low grades, ``handle`` vetoes and streaks, and the probationary
  members' extend/cancel recommendations, each step dated, audited and done by its role;
- ``stars``: the 星级挂牌 list of member stars per branch;
- ``files``: those lists as PDF and Excel.

Every list reads a cycle's results through ``core.services.results.branch_results``: the
finalised snapshot where the period is archived, else the live computation.
"""
