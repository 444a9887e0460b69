"""Each figure of the reports page, against numbers worked out by hand from a small clinic.

The fixtures write course and session rows directly (factories), so each history is exactly as
stated in its docstring; the expected figures are worked out in the comments beside them.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest

import planner
from clinic.models import CLINIC_ADMIN, Absence, ClosedDate
from patients.models import Condition
from protocols.booking import aware
from protocols.models import Course, ProtocolTemplate, Session
from protocols.selectors import due_patients
from reports import selectors
from reports.selectors import Filters
from tests.factories import (
    ConditionFactory,
    CourseFactory,
    PatientFactory,
    SessionFactory,
    UserFactory,
)
from tests.workspace import classic, give_hours, give_rooms

pytestmark = pytest.mark.django_db

H1 = Filters(clinic_id=0, start=date(2026, 1, 1), end=date(2026, 6, 30))


def period(clinic, **kwargs) -> Filters:
    return Filters(clinic_id=clinic.pk, start=H1.start, end=H1.end, **kwargs)


def course(
    clinic,
    start,
    scores=(),
    *,
    slug="knee-arthrosis-classic",
    status=Course.COMPLETED,
    condition=Condition.KNEE_ARTHROSIS,
    therapist=None,
    extra=(),
):
    """A course of ``slug`` with a session done a day apart per (pain before, pain after) of
    ``scores``, then the (status, reason) sessions of ``extra``."""
    patient = PatientFactory(clinic=clinic)
    if condition == Condition.KNEE_ARTHROSIS:
        ConditionFactory(patient=patient)
    else:
        ConditionFactory(patient=patient, kind=condition, stage=None)
    row = CourseFactory(
        patient=patient, slug=slug, start=start, sessions=0, status=status, therapist=therapist
    )
    number = 0
    for number, (before, after) in enumerate(scores, 1):
        SessionFactory(
            course=row,
            number=number,
            date=start + timedelta(days=number - 1),
            status=Session.DONE,
            actual_minutes=15,
            pain_before=before,
            pain_after=after,
        )
    for offset, (status, reason) in enumerate(extra, number + 1):
        SessionFactory(
            course=row,
            number=offset,
            date=start + timedelta(days=offset - 1),
            status=status,
            skip_reason=reason,
            pain_after=0 if status == Session.SKIPPED else None,  # never counted: not given
        )
    return row


@pytest.fixture
def history(clinic_a, clinic_b, therapist_a):
    """Clinic A's first half of 2026 (H1), and courses outside it.

    Classic knee template, completed courses begun in H1 (first score before, last after):
      c1 8→4 (−4), c2 —,6→5 (−1; its first session has no score), c3 7→5 (−2),
      c4 5→6 (+1, then a skipped session "severe pain"), c5 9→6 (−3), c6 no scores at all.
    Sciatica template, completed in H1 with therapist A: 6→3 and 4→4 (sciatica patients).
    Also: a classic course cancelled in H1 (did not attend, cancelled by the patient "ill",
    cancelled, skipped "severe pain "), one on hold in H1 without sessions, one completed in
    December 2025 with its last session on 2 January 2026, and clinic B's 10→0.
    """
    jan = date(2026, 1, 12)
    course(clinic_a, jan, [(8, 7), (5, 4)])
    course(clinic_a, jan, [(None, 6), (6, 5)])
    course(clinic_a, jan, [(7, 6), (6, 5)])
    course(clinic_a, jan, [(5, 5), (6, 6)], extra=[(Session.SKIPPED, "severe pain")])
    course(clinic_a, date(2026, 6, 29), [(9, 8), (7, 6)])  # begun and ended in late June
    course(clinic_a, jan, [(None, None), (None, None)])
    for scores in ([(6, 4), (4, 3)], [(4, 4), (4, 4)]):
        course(
            clinic_a,
            jan,
            scores,
            slug="sciatica-leg",
            condition=Condition.SCIATICA,
            therapist=therapist_a,
        )
    course(
        clinic_a,
        date(2026, 2, 2),
        status=Course.CANCELLED,
        extra=[
            (Session.NO_SHOW, ""),
            (Session.PATIENT_CANCELLED, "ill"),
            (Session.CANCELLED, ""),
            (Session.SKIPPED, "severe pain "),
        ],
    )
    course(clinic_a, date(2026, 3, 2), status=Course.ON_HOLD)
    old = course(clinic_a, date(2025, 12, 1), [(9, 9)])
    SessionFactory(
        course=old,
        number=2,
        date=date(2026, 1, 2),
        status=Session.DONE,
        actual_minutes=15,
        pain_before=9,
        pain_after=1,
    )
    course(clinic_b, jan, [(10, 5), (5, 0)])


def test_outcomes_per_template_are_the_means_of_the_first_and_last_scores(clinic_a, history):
    knee, sciatica = selectors.outcomes(selectors.outcome_rows(period(clinic_a)))
    assert knee.template_id == classic(clinic_a).pk
    assert knee.courses == 6  # c1..c6; not the cancelled, the on-hold or December's
    assert knee.scored == 5  # c6 has no scores
    assert knee.mean_before == pytest.approx((8 + 6 + 7 + 5 + 9) / 5)  # 7.0
    assert knee.mean_after == pytest.approx((4 + 5 + 5 + 6 + 6) / 5)  # 5.2
    assert knee.mean_change == pytest.approx((-4 - 1 - 2 + 1 - 3) / 5)  # -1.8
    assert knee.improved == 3  # c1 (−4), c3 (exactly −2), c5 (−3)
    assert knee.share_improved == pytest.approx(0.6)
    assert knee.enough
    # Two courses: the figures are computed, and the page says "too few courses to say".
    assert (sciatica.courses, sciatica.scored, sciatica.improved) == (2, 2, 1)
    assert sciatica.mean_change == pytest.approx((-3 + 0) / 2)
    assert not sciatica.enough


def test_the_filters_narrow_the_outcomes(clinic_a, therapist_a, history):
    sciatica_only = [
        period(clinic_a, therapist_id=therapist_a.pk),
        period(clinic_a, condition=Condition.SCIATICA),
        period(
            clinic_a,
            template_id=ProtocolTemplate.objects.get(clinic=clinic_a, slug="sciatica-leg").pk,
        ),
    ]
    for filters in sciatica_only:
        (only,) = selectors.outcomes(selectors.outcome_rows(filters))
        assert only.courses == 2, filters
    assert (
        selectors.outcome_rows(period(clinic_a, condition=Condition.KNEE_ARTHROSIS, stage=3)) == []
    )
    assert (
        len(selectors.outcome_rows(period(clinic_a, condition=Condition.KNEE_ARTHROSIS, stage=2)))
        == 6
    )


def test_adherence_counts_the_periods_sessions_and_courses(clinic_a, history):
    adherence = selectors.adherence(period(clinic_a))
    # Done: 2 in each of c1..c6 and the two sciatica courses (16; c5's are in late June), and
    # December's course's session of 2 January: 17.
    assert adherence.sessions == {
        Session.DONE: 17,
        Session.SKIPPED: 2,
        Session.NO_SHOW: 1,
        Session.PATIENT_CANCELLED: 1,
        Session.CANCELLED: 1,
    }
    assert adherence.skip_reasons == [("severe pain", 2)]  # the same words, trailing space aside
    assert adherence.courses == {Course.COMPLETED: 8, Course.CANCELLED: 1, Course.ON_HOLD: 1}
    sciatica = selectors.adherence(period(clinic_a, condition=Condition.SCIATICA))
    assert sciatica.sessions == {Session.DONE: 4}
    assert sciatica.courses == {Course.COMPLETED: 2}


@pytest.fixture
def repeats_history(clinic_a):
    """Completed courses and what followed them; the period is the second half of 2026, today
    15 October 2026. First session → due date (six months on, R5):
      p1 10 Jan → 10 Jul; next begun 1 Jul (completed): in time.
      p2 1 Feb → 1 Aug; next begun 20 Aug, still running: late.
      p3 5 Mar → 5 Sep; nothing since: overdue.
      p4 20 May → 20 Nov; nothing yet: not yet due.
      p5 15 Dec 2025 → 15 Jun: due before the period (not counted in it).
      p6 1 Apr → 1 Oct; its next course (1 Sep) was cancelled: overdue.
      p7 20 Apr → 20 Oct; nothing yet: not yet due, but listed as due today (within 14 days).
    """

    def patient_with(*courses):
        patient = PatientFactory(clinic=clinic_a)
        for start, status in courses:
            CourseFactory(patient=patient, start=start, sessions=0, status=status)

    done = Course.COMPLETED
    patient_with((date(2026, 1, 10), done), (date(2026, 7, 1), done))
    patient_with((date(2026, 2, 1), done), (date(2026, 8, 20), Course.ACTIVE))
    patient_with((date(2026, 3, 5), done))
    patient_with((date(2026, 5, 20), done))
    patient_with((date(2025, 12, 15), done))
    patient_with((date(2026, 4, 1), done), (date(2026, 9, 1), Course.CANCELLED))
    patient_with((date(2026, 4, 20), done))


def test_the_twice_a_year_figures(clinic_a, repeats_history):
    filters = Filters(clinic_id=clinic_a.pk, start=date(2026, 7, 1), end=date(2026, 12, 31))
    today = date(2026, 10, 15)
    result = selectors.repeats(
        selectors.repeat_rows(filters), today, selectors.due_today(filters, today)
    )
    # p1's second course (1 Jul) falls due on 1 Jan 2027, after the period.
    assert (result.due, result.in_time, result.late) == (6, 1, 1)
    assert (result.overdue, result.not_yet) == (2, 2)  # p3, p6; p4, p7
    assert result.share_in_time == pytest.approx(1 / 4)  # of the four decided
    # Today: p3, p5, p6 overdue; p7 due by 29 October; p2 runs a course, p1's is not due.
    assert (result.due_now, result.overdue_now) == (4, 3)


@pytest.fixture
def week(clinic_a, therapist_a, reception_a, therapist_b):
    """Monday 2 to Sunday 8 March 2026, clinic A open Monday to Saturday, closed on Wednesday.
    Therapist A works weekdays 09:00–13:00 and is on leave on Thursday; the admin works Monday
    12:00–15:00 and Saturday 10:00–12:00. Bookings: therapist A in Room 1 on Monday 09:00–09:30
    (done), Tuesday 10:00–11:00 (planned), Friday 09:00–09:30 (did not attend), and Friday
    11:00–12:00 cancelled; the admin in Room 2 on Saturday 10:00–10:45 (done); therapist A on the
    next Monday (outside the week)."""
    admin = UserFactory(
        username="admin_hours",
        clinic=clinic_a,
        role=CLINIC_ADMIN,
        first_name="Olga",
        last_name="Admin",
    )
    give_hours(therapist_a, hours=((540, 780),), weekdays=range(5))
    give_hours(admin, hours=((720, 900),), weekdays=[0])
    give_hours(admin, hours=((600, 720),), weekdays=[5])
    give_hours(therapist_b)
    ClosedDate.objects.create(clinic=clinic_a, date=date(2026, 3, 4))
    Absence.objects.create(therapist=therapist_a, start=date(2026, 3, 5), end=date(2026, 3, 5))
    room1, room2 = give_rooms(clinic_a, "Room 1", "Room 2")
    booked = CourseFactory(patient=PatientFactory(clinic=clinic_a), sessions=0)
    for number, (day, start, minutes, status, who, room) in enumerate(
        [
            (2, 540, 30, Session.DONE, therapist_a, room1),
            (3, 600, 60, Session.PLANNED, therapist_a, room1),
            (6, 540, 30, Session.NO_SHOW, therapist_a, room1),
            (6, 660, 60, Session.CANCELLED, therapist_a, room1),
            (7, 600, 45, Session.DONE, admin, room2),
            (9, 540, 30, Session.PLANNED, therapist_a, room1),
        ],
        1,
    ):
        day = date(2026, 3, day)
        SessionFactory(
            course=booked,
            number=number,
            date=day,
            status=status,
            therapist=who,
            room=room,
            starts_at=aware(clinic_a, day, start),
            ends_at=aware(clinic_a, day, start + minutes),
            actual_minutes=15 if status == Session.DONE else None,
        )
    return admin


def test_booked_against_working_hours_per_therapist_and_room(clinic_a, therapist_a, week):
    filters = Filters(clinic_id=clinic_a.pk, start=date(2026, 3, 2), end=date(2026, 3, 8))
    use = selectors.utilisation(filters, clinic_a)
    by_name = {u.name: (u.booked, u.available) for u in use.therapists}
    # Therapist A: Mon, Tue, Fri × 240 min (Wednesday closed, Thursday on leave) = 720; booked
    # 30 + 60 + 30 (the cancelled hour gave its time back). The admin: Mon 180 + Sat 120.
    assert by_name == {
        therapist_a.get_full_name() or therapist_a.username: (120, 720),
        "Olga Admin": (45, 300),
    }  # not the receptionist (gives no sessions), not clinic B's therapist
    shares = {u.name: u.share for u in use.therapists}
    assert shares["Olga Admin"] == pytest.approx(45 / 300)
    # Rooms: staffed Mon 09:00–15:00 (360), Tue 240, Thu 0 (A on leave), Fri 240, Sat 120.
    assert {u.name: (u.booked, u.available) for u in use.rooms} == {
        "Room 1": (120, 960),
        "Room 2": (45, 960),
    }
    alone = selectors.utilisation(
        Filters(**{**filters.__dict__, "therapist_id": week.pk}), clinic_a
    )
    assert [(u.name, u.booked, u.available) for u in alone.therapists] == [("Olga Admin", 45, 300)]
    # The rooms in the admin's hours only: Monday 12:00–15:00 and Saturday 10:00–12:00.
    assert {u.name: (u.booked, u.available) for u in alone.rooms} == {
        "Room 1": (0, 300),
        "Room 2": (45, 300),
    }


def test_todays_due_patients_are_the_day_pages(clinic_a, admin_a, repeats_history):
    # The report counts the patients the day page lists (protocols.selectors.due_patients),
    # whatever the day: the rule is read from the planner in both.
    for today in (date(2026, 9, 1), date(2026, 10, 15), date(2027, 1, 20)):
        filters = Filters(clinic_id=clinic_a.pk, start=today, end=today)
        listed = list(due_patients(admin_a, today))
        overdue = [p for p in listed if planner.next_course_due(p.last_first) < today]
        assert selectors.due_today(filters, today) == (len(listed), len(overdue)), today


def test_todays_due_patients_by_template_go_by_their_latest_course(clinic_a, therapist_a):
    # A patient's latest completed course decides: filtered by the template of an earlier one,
    # the patient is not due for that template (their next course follows the later one).
    patient = PatientFactory(clinic=clinic_a)
    done = Course.COMPLETED
    CourseFactory(patient=patient, start=date(2025, 9, 1), sessions=0, status=done)
    CourseFactory(
        patient=patient,
        start=date(2026, 1, 5),
        sessions=0,
        status=done,
        slug="sciatica-leg",
        therapist=therapist_a,
    )
    today = date(2026, 8, 1)  # the later course (5 January) fell due on 5 July: overdue
    day = Filters(clinic_id=clinic_a.pk, start=today, end=today)
    sciatica = ProtocolTemplate.objects.get(clinic=clinic_a, slug="sciatica-leg")
    assert selectors.due_today(day, today) == (1, 1)
    assert selectors.due_today(replace(day, template_id=sciatica.pk), today) == (1, 1)
    assert selectors.due_today(replace(day, template_id=classic(clinic_a).pk), today) == (0, 0)
    assert selectors.due_today(replace(day, therapist_id=therapist_a.pk), today) == (1, 1)
    # The condition filter applies to the patient.
    sciatica_patients = replace(day, condition=Condition.SCIATICA)
    assert selectors.due_today(sciatica_patients, today) == (0, 0)
    ConditionFactory(patient=patient, kind=Condition.SCIATICA, stage=None)
    assert selectors.due_today(sciatica_patients, today) == (1, 1)
    # A course running now takes the patient off the list, whatever its template.
    CourseFactory(patient=patient, start=date(2026, 8, 3), sessions=0, status=Course.PLANNED)
    assert selectors.due_today(day, today) == (0, 0)
