"""The health check (front/views/day.py): load balancers call it without logging in."""

from django.db import OperationalError
from django.urls import reverse


def test_it_answers_ok_to_an_anonymous_get(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_it_refuses_a_post(client, db):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405


def test_it_answers_503_when_the_database_cannot_be_reached(client, db, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr("front.views.day.connection.cursor", unreachable)
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_it_asks_the_database_one_cheap_question(client, db, django_assert_num_queries):
    # SELECT 1: no session, no user, no table read.
    with django_assert_num_queries(1):
        assert client.get(reverse("healthz")).status_code == 200
