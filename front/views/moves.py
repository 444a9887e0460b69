"""Moving sessions (R18), stand-ins, no-shows and patients' cancellations, absences that reach
booked sessions, clinic closures. Being built (issue 15)."""

from django.http import Http404


def session_move(request, pk):
    raise Http404


def session_move_rest(request, pk):
    raise Http404


def session_attendance(request, pk):
    raise Http404


def absence_new(request):
    raise Http404


def closure_new(request):
    raise Http404
