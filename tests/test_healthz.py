"""The health check (clinic/views.py): load balancers call it without logging in."""

from django.urls import reverse


def test_it_answers_ok_to_an_anonymous_get(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_it_refuses_a_post(client, db):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405
