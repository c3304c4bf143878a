"""The soak run, short (issue #8): the real bot answers every question exactly once while
5% of all Bot API calls fail, and its memory stays flat. The full run (1,000 questions
from 200 chats) is benchmarks/telegram_soak.py."""

from __future__ import annotations

import pytest

from tests.telegram_soak import soak

pytestmark = pytest.mark.integration


def test_every_question_is_answered_exactly_once_while_5_percent_of_api_calls_fail():
    result = soak(questions=60, chats=20, fail_rate=0.05, rate=10.0, timeout=300.0)
    print(result.report())
    assert result.faults > 0  # the faults did happen
    assert (result.answered, result.twice, result.unanswered) == (60, 0, 0), result.report()
    assert result.sorry == 0, result.report()
    assert result.rss_end_mib - result.rss_start_mib < 100, result.report()
