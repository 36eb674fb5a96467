"""Tasks (待办): to-dos with a due date and an owner, about an account, a person, a deal,
a contract or an invoice; created by hand, by the funnel review or by rules.

``services`` writes them (audited), ``selectors`` reads them from visibility, ``links``
names the records of areas above the activities a task may be about.
"""
