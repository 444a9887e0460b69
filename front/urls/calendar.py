from django.urls import path

from front.views import calendar, moves

app_name = "calendar"

urlpatterns = [
    path("week/", calendar.week, name="week"),
    path("rooms/", calendar.rooms, name="rooms"),
    path("absences/new/", moves.absence_new, name="absence_new"),
    path("closures/new/", moves.closure_new, name="closure_new"),
]
