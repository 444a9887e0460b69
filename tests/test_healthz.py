"""The health check (front/views/day.py, answered first by front/middleware.py): load balancers
call it without logging in, over plain HTTP, at any host name or address."""

import pytest
from django.db import OperationalError
from django.urls import reverse

from front.middleware import HEALTHZ_PATH


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


# Production's transport settings (test settings turn the TLS redirect off): a load balancer
# probes each server over plain HTTP, at its address.
PRODUCTION_TRANSPORT = {
    "SECURE_SSL_REDIRECT": True,
    "ALLOWED_HOSTS": ["clinic.example.org"],
    "SECURE_HSTS_SECONDS": 31536000,
}


@pytest.mark.parametrize("host", ["clinic.example.org", "10.0.0.5", "10.0.0.5:8000", "[fd00::5]"])
def test_a_plain_http_probe_gets_200_whatever_the_host(client, db, settings, host):
    for name, value in PRODUCTION_TRANSPORT.items():
        setattr(settings, name, value)

    response = client.get("/healthz", headers={"host": host})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert reverse("healthz") == HEALTHZ_PATH


def test_other_pages_keep_the_tls_redirect_and_the_host_check(client, db, settings):
    for name, value in PRODUCTION_TRANSPORT.items():
        setattr(settings, name, value)

    redirected = client.get("/accounts/login/", headers={"host": "clinic.example.org"})
    refused = client.get("/accounts/login/", secure=True, headers={"host": "10.0.0.5"})
    near_miss = client.get("/healthz/", headers={"host": "10.0.0.5"})

    assert redirected.status_code == 301
    assert redirected["Location"] == "https://clinic.example.org/accounts/login/"
    assert refused.status_code == 400
    assert near_miss.status_code == 400


def test_a_probe_still_gets_503_when_the_database_is_down_in_production(
    client, db, settings, monkeypatch
):
    for name, value in PRODUCTION_TRANSPORT.items():
        setattr(settings, name, value)

    def unreachable():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr("front.views.day.connection.cursor", unreachable)
        response = client.get("/healthz", headers={"host": "10.0.0.5"})

    assert response.status_code == 503
