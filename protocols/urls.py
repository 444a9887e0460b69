from django.urls import path, register_converter

from clinic.converters import CloseActionConverter
from protocols import views

app_name = "protocols"


register_converter(CloseActionConverter, "close_action")

urlpatterns = [
    path("patients/<int:pk>/courses/new/", views.course_new, name="course_new"),
    path("patients/<int:pk>/courses/preview/", views.course_preview, name="course_preview"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/resume/", views.course_resume, name="course_resume"),
    path(
        "courses/<int:pk>/<close_action:action>/",
        views.course_close,
        name="course_close",
    ),
    path("sessions/<int:pk>/record/", views.session_record, name="session_record"),
    path("courses/<int:pk>/handout.pdf", views.course_handout, name="course_handout"),
    path("courses/<int:pk>/sheet.pdf", views.course_sheet, name="course_sheet"),
    path("courses/<int:pk>/calendar.ics", views.course_calendar_file, name="course_calendar"),
    path("sessions/day.pdf", views.day_sheets, name="day_sheets"),
    path("documents/<int:pk>/", views.document_job, name="document_job"),
    path("documents/<int:pk>/document.pdf", views.document_job_pdf, name="document_job_pdf"),
]
