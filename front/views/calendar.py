"""The clinic's calendar: the day by therapist (the home page), a therapist's week, the day by
room. Being built (issue 15)."""

from django.http import Http404


def week(request):
    raise Http404


def rooms(request):
    raise Http404
