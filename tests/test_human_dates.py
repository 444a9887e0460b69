"""One human date format per language wherever a person reads a date: "15 May 2026" and, with
the month in the genitive, "15 мая 2026"; ISO dates only in the JSON of ``plan_course``."""

from datetime import date

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

import planner
from protocols.planning import answer_as_json, reason_message

MAY_15 = date(2026, 5, 15)


@pytest.mark.parametrize("format_name", ["DATE_FORMAT", "SHORT_DATE_FORMAT"])
def test_russian_dates_have_the_month_in_the_genitive_and_no_year_abbreviation(format_name):
    with translation.override("ru"):
        assert date_format(MAY_15, format_name) == "15 мая 2026"


def test_a_days_heading_in_russian_is_lower_case_genitive():
    with translation.override("ru"):
        heading = Template('{{ day|date:"D" }} {{ day|date:"MONTH_DAY_FORMAT" }}').render(
            Context({"day": date(2026, 12, 1)})
        )
    assert heading == "Вт 1 декабря"


def test_english_dates_are_day_month_year():
    with translation.override("en"):
        assert date_format(MAY_15, "SHORT_DATE_FORMAT") == "15 May 2026"
        assert date_format(MAY_15, "MONTH_DAY_FORMAT") == "15 May"


def test_a_refusal_reads_human_dates_and_the_json_keeps_iso():
    params = {"surgery": "2026-11-21", "days": 21, "date": "2026-12-12", "first": "2026-12-01"}
    reason = planner.Reason("R8", planner.R8_POSTOP, params)
    with translation.override("ru"):
        text = reason_message(reason)
    assert "21 ноября 2026" in text and "12 декабря 2026" in text
    assert "2026-11-21" not in text

    answer = answer_as_json(planner.Refusal(reasons=(reason,), earliest_start=date(2026, 12, 12)))
    assert "2026-11-21" in answer["reasons"][0]["message"]
    assert answer["earliest_start"] == "2026-12-12"


def r4(other_last, months=1):
    params = {
        "months": months,
        "first": "2030-01-05",
        "last": "2030-02-05",
        "other_last": other_last,
        "date": "2030-02-01",
    }
    return planner.Reason("R4", planner.R4_AFTER, params)


def test_r4_says_a_course_still_running_runs_until_its_last_session():
    text = reason_message(r4("2030-01-01"))  # in the future

    assert text.startswith("Another course runs until 1 Jan 2030,")
    assert "at least 1 calendar month between them" in text and "month(s)" not in text


def test_r4_says_a_past_course_ended_with_plural_months_in_both_languages():
    assert "Another course ended on 1 Jan 2020" in reason_message(r4("2020-01-01"))
    assert "at least 2 calendar months between" in reason_message(r4("2020-01-01", months=2))
    with translation.override("ru"):
        one, two, five = (reason_message(r4("2020-01-01", months=n)) for n in (1, 2, 5))
    assert "1 календарный месяц" in one
    assert "2 календарных месяца" in two
    assert "5 календарных месяцев" in five
    assert "1 января 2020" in one
