"""A reader who may not edit a deal (finance) sees its evaluation's answers as words in
their language, never the stored value ("yes")."""

from __future__ import annotations

import pytest

from kam.pipeline import services
from tests.factories import AccountFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("zh-hans", ("是", "否")), ("en", ("Yes", "No"))])
def test_finance_reads_the_answers_in_words(org, login, language, words):
    deal = OpportunityFactory(account=AccountFactory(owner=org.rep))
    services.record_evaluation(deal, answers={1: "yes", 2: "no"}, by=org.rep)
    org.finance.language = language
    org.finance.save(update_fields=["language"])
    page = login(org.finance).get(f"/opportunities/{deal.pk}/").content.decode()
    scorecard = page[page.index('data-testid="scorecard"') :]
    scorecard = scorecard[: scorecard.index("</form>")]
    for word in words:
        assert f"<td>{word}</td>" in scorecard
    assert "<td>yes</td>" not in scorecard and "<td>no</td>" not in scorecard
