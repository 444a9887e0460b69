"""Moving sessions by hand (R18), stand-ins, no-shows, absences and closures over booked
sessions: the services of protocols.moving, on the database."""

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from clinic.models import Absence, ClosedDate
from planner.schedule import parse_time
from protocols import booking
from protocols.models import Course, Session
from protocols.moving import (
    Answer,
    CoverRefused,
    MoveRefused,
    absence_preview,
    close_clinic,
    closure_preview,
    free_colleagues,
    is_late_cancellation,
    move_rest,
    move_session,
    offers_for,
    record_absence_with_cover,
    record_attendance,
)
from protocols.services import create_course
from tests.factories import UserFactory
from tests.workspace import classic, give_hours, knee_patient, next_working_day, today

pytestmark = pytest.mark.django_db
t = parse_time


@pytest.fixture
def colleague(clinic_a):
    person = UserFactory(clinic=clinic_a, first_name="Anna", last_name="Belova")
    give_hours(person)
    return person


@pytest.fixture
def course(clinic_a, therapist_a):
    give_hours(therapist_a)
    start = next_working_day(today() + timedelta(days=1), clinic_a)
    return create_course(
        patient=knee_patient(clinic_a),
        template=classic(clinic_a),
        start=start,
        sessions=15,
        cadence_days=2,
        therapist=therapist_a,
        preferred_time=t("10:00"),
    )


def rows(course):
    return list(
        Session.objects.filter(course=course)
        .order_by("number")
        .values_list("number", "date", "starts_at", "therapist_id", "room_id", "status", "revision")
    )


def local(session):
    day, minute = booking.local_minutes(session.course.patient.clinic, session.starts_at)
    return day, minute


def session(course, number):
    return Session.objects.select_related("course__patient__clinic", "course__therapist").get(
        course=course, number=number
    )


def test_a_session_moves_to_a_free_time_that_keeps_the_spacing(course, therapist_a):
    second, third = session(course, 2), session(course, 3)
    target = third.date - timedelta(days=0)
    version = Course.objects.get(pk=course.pk).version

    move_session(session=third, day=target, start=t("15:00"), user=therapist_a)

    third.refresh_from_db()
    assert local(third) == (target, t("15:00"))
    assert third.ends_at - third.starts_at == timedelta(minutes=30)
    assert third.revision == 1  # the calendar file's SEQUENCE goes up
    assert Course.objects.get(pk=course.pk).version == version + 1
    assert second.date < third.date
    entry = AuditEntry.objects.filter(object_id=str(third.pk)).latest("pk")
    assert "starts_at" in entry.changes


def test_a_time_breaking_every_other_day_spacing_is_refused_with_its_rule_and_nothing_changes(
    course, therapist_a
):
    second, third = session(course, 2), session(course, 3)
    before = rows(course)

    with pytest.raises(MoveRefused) as refused:
        move_session(session=third, day=second.date + timedelta(days=1), start=t("10:00"))

    assert [reason.rule for reason in refused.value.reasons] == ["R18"]
    assert "free day" in refused.value.reasons[0].message
    assert rows(course) == before
    # the nearest allowed times keep every rule
    offers = refused.value.offers
    assert offers and all(o.day >= second.date + timedelta(days=2) for o in offers)


def test_a_colleague_free_at_that_time_may_give_the_session(course, therapist_a, colleague):
    busy = UserFactory(clinic=course.patient.clinic)  # works, but is away that day
    give_hours(busy)
    third = session(course, 3)
    Absence.objects.create(therapist=busy, start=third.date, end=third.date)
    no_hours = UserFactory(clinic=course.patient.clinic)

    free = free_colleagues(third)

    assert colleague in free and busy not in free and no_hours not in free
    day, start = local(third)
    move_session(session=third, day=day, start=start, therapist=colleague, user=therapist_a)
    third.refresh_from_db()
    assert third.therapist == colleague
    assert local(third) == (day, start)


def test_a_therapist_moves_only_their_own_sessions_an_admin_any(course, admin_a, clinic_a):
    other = UserFactory(clinic=clinic_a)
    third = session(course, 3)
    day, start = local(third)
    with pytest.raises(PermissionDenied):
        move_session(session=third, day=day, start=start + 60, user=other)
    move_session(session=third, day=day, start=start + 60, user=admin_a)
    assert local(session(course, 3)) == (day, start + 60)


def test_moving_the_rest_re_plans_every_later_session_from_the_chosen_day_and_time(
    course, therapist_a
):
    fifth = session(course, 5)
    start_day = next_working_day(fifth.date + timedelta(days=7), course.patient.clinic)

    moved = move_rest(session=fifth, day=start_day, start=t("16:00"), user=therapist_a)

    assert moved == 11
    later = Session.objects.filter(course=course, number__gte=5).order_by("number")
    assert later[0].date == start_day
    assert {local(s)[1] for s in later} == {t("16:00")}
    dates = [s.date for s in later]
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(dates))
    assert session(course, 4).date < start_day


def test_moving_the_rest_before_the_previous_session_is_refused(course, therapist_a):
    fifth, fourth = session(course, 5), session(course, 4)
    before = rows(course)
    with pytest.raises(MoveRefused) as refused:
        move_rest(session=fifth, day=fourth.date, start=t("10:00"), user=therapist_a)
    assert [r.rule for r in refused.value.reasons] == ["R18"]
    assert rows(course) == before


def test_a_no_show_is_not_given_and_the_course_grows_by_one_session(course, therapist_a):
    first = session(course, 1)
    Session.objects.filter(pk=first.pk).update(
        date=today(), starts_at=first.starts_at - timedelta(days=(first.date - today()).days + 1)
    )
    outcome = record_attendance(session=first, user=therapist_a, status=Session.NO_SHOW)

    assert outcome.made_up
    first.refresh_from_db()
    assert first.status == Session.NO_SHOW
    assert Session.objects.filter(course=course).count() == 16
    last, before_it = Session.objects.filter(course=course).order_by("-number")[:2]
    assert last.number == 16 and last.date > before_it.date and last.starts_at is not None
    assert Session.objects.filter(course=course, status=Session.PLANNED).count() == 15


def test_a_no_show_cannot_be_recorded_before_the_session_starts(course, therapist_a):
    later = session(course, 3)
    with pytest.raises(ValidationError, match="has not started yet"):
        record_attendance(session=later, user=therapist_a, status=Session.NO_SHOW)
    assert session(course, 3).status == Session.PLANNED


def test_a_patients_cancellation_needs_a_reason_and_one_the_day_before_is_late(course, therapist_a):
    second = session(course, 2)
    with pytest.raises(ValidationError):
        record_attendance(session=second, user=therapist_a, status=Session.PATIENT_CANCELLED)
    record_attendance(
        session=second, user=therapist_a, status=Session.PATIENT_CANCELLED, reason="Has a cold"
    )
    second.refresh_from_db()
    assert second.status == Session.PATIENT_CANCELLED and second.skip_reason == "Has a cold"
    assert Session.objects.filter(course=course).count() == 16
    assert not is_late_cancellation(second)  # two days or more ahead
    second.recorded_at = second.starts_at - timedelta(hours=3)
    assert is_late_cancellation(second)


def test_an_absence_over_two_sessions_is_saved_only_with_an_answer_for_each(
    course, therapist_a, colleague
):
    one, two = session(course, 2), session(course, 3)
    before = rows(course)

    affected = absence_preview(
        therapist=therapist_a, start=one.date, end=two.date, reason=Absence.LEAVE
    )
    assert [a.session.pk for a in affected] == [one.pk, two.pk]
    assert all(colleague in a.colleagues for a in affected)
    # every other day, between neighbours two days away: no other day keeps the spacing
    assert [a.nearest for a in affected] == [None, None]
    assert not Absence.objects.exists()  # the preview saved nothing

    with pytest.raises(CoverRefused) as refused:
        record_absence_with_cover(
            therapist=therapist_a,
            start=one.date,
            end=two.date,
            reason=Absence.LEAVE,
            answers={one.pk: Answer(therapist_id=colleague.pk)},
            user=therapist_a,
        )
    assert list(refused.value.problems) == [two.pk]
    assert not Absence.objects.exists() and rows(course) == before

    record_absence_with_cover(
        therapist=therapist_a,
        start=one.date,
        end=two.date,
        reason=Absence.LEAVE,
        answers={pk: Answer(therapist_id=colleague.pk) for pk in (one.pk, two.pk)},
        user=therapist_a,
    )
    assert Absence.objects.filter(therapist=therapist_a).count() == 1
    givers = Session.objects.filter(pk__in=[one.pk, two.pk]).values_list("therapist", flat=True)
    assert set(givers) == {colleague.pk}


def test_an_answer_that_breaks_a_rule_saves_nothing(course, therapist_a):
    one = session(course, 2)
    before = rows(course)
    with pytest.raises(CoverRefused) as refused:
        record_absence_with_cover(
            therapist=therapist_a,
            start=one.date,
            end=one.date,
            reason=Absence.LEAVE,
            answers={one.pk: Answer(day=one.date, start=t("10:00"))},  # the therapist is away
        )
    assert [r.rule for r in refused.value.problems[one.pk]] == ["R17"]
    assert not Absence.objects.exists() and rows(course) == before


def test_a_closure_moves_every_session_booked_that_day(course, therapist_a):
    third, fourth = session(course, 3), session(course, 4)
    clinic = course.patient.clinic
    [affected] = closure_preview(clinic=clinic, day=third.date)
    assert affected.session.pk == third.pk
    with pytest.raises(CoverRefused):
        close_clinic(clinic=clinic, day=third.date, answers={})
    assert not ClosedDate.objects.filter(clinic=clinic).exists()

    close_clinic(
        clinic=clinic,
        day=third.date,
        reason="Holiday",
        answers={third.pk: Answer(replan=True)},
        user=therapist_a,
    )
    closed_day = third.date
    third.refresh_from_db()
    assert third.date > closed_day and third.status == Session.PLANNED
    assert session(course, 4).date > fourth.date  # the rest moved on, keeping the spacing
    assert (session(course, 4).date - third.date).days >= 2
    assert ClosedDate.objects.filter(clinic=clinic, date=closed_day).exists()


def test_a_weekly_course_moves_one_session_to_the_nearest_allowed_day(clinic_a, therapist_a):
    give_hours(therapist_a)
    start = next_working_day(today() + timedelta(days=1), clinic_a)
    weekly = create_course(
        patient=knee_patient(clinic_a), template=classic(clinic_a), start=start, sessions=15,
        cadence_days=7, therapist=therapist_a, preferred_time=t("10:00"),
    )  # fmt: skip
    third = session(weekly, 3)
    [affected] = closure_preview(clinic=clinic_a, day=third.date)
    nearest = affected.nearest
    assert nearest is not None and abs((nearest.day - third.date).days) == 1
    close_clinic(
        clinic=clinic_a,
        day=third.date,
        answers={third.pk: Answer(day=nearest.day, start=nearest.start)},
    )
    assert local(session(weekly, 3)) == (nearest.day, nearest.start)


def test_offers_start_from_the_sessions_own_day_and_time(course):
    third = session(course, 3)
    found = offers_for(third)
    assert found[0].day == third.date or found[0].day > session(course, 2).date
    assert all(o.start % 15 == 0 for o in found)
