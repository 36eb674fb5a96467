"""The manager's weekly funnel review (漏斗检查会, DOMAIN.md §5 "core of funnel management").

:mod:`.agenda` builds the meeting's agenda from the data, per rep; :mod:`.questions`
says what to ask about each item; :mod:`.services` records the manager's decisions,
each next step becoming the deal owner's task. The review sits in forecasting because
it needs every lower area's facts: the funnel screen (pipeline), red flags
(stakeholders), stalled deals and tasks (activities) and the weekly snapshots.
"""
