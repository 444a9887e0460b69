from django.urls import path

from front.views import staff as views

app_name = "staff"

urlpatterns = [
    path("absences/", views.absences, name="absences"),
    path("absences/<int:pk>/edit/", views.absence_edit, name="absence_edit"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="absence_delete"),
]
