from django.urls import path, register_converter

from front.converters import CloseActionConverter
from front.views import courses, documents, messages, moves

app_name = "protocols"


register_converter(CloseActionConverter, "close_action")

urlpatterns = [
    path("patients/<int:pk>/courses/new/", courses.course_new, name="course_new"),
    path("patients/<int:pk>/courses/preview/", courses.course_preview, name="course_preview"),
    path("courses/<int:pk>/", courses.course_detail, name="course"),
    path("courses/<int:pk>/resume/", courses.course_resume, name="course_resume"),
    path("courses/<int:pk>/times/", courses.course_times, name="course_times"),
    path(
        "courses/<int:pk>/<close_action:action>/",
        courses.course_close,
        name="course_close",
    ),
    path("sessions/<int:pk>/record/", courses.session_record, name="session_record"),
    path("sessions/<int:pk>/move/", moves.session_move, name="session_move"),
    path("sessions/<int:pk>/move-rest/", moves.session_move_rest, name="session_move_rest"),
    path("sessions/<int:pk>/attendance/", moves.session_attendance, name="session_attendance"),
    path("courses/<int:pk>/handout.pdf", documents.course_handout, name="course_handout"),
    path("courses/<int:pk>/sheet.pdf", documents.course_sheet, name="course_sheet"),
    path("courses/<int:pk>/calendar.ics", documents.course_calendar_file, name="course_calendar"),
    path("courses/<int:pk>/email-handout/", messages.email_handout, name="course_email_handout"),
    path("sessions/day.pdf", documents.day_sheets, name="day_sheets"),
    path("documents/<int:pk>/", documents.document_job, name="document_job"),
    path("documents/<int:pk>/document.pdf", documents.document_job_pdf, name="document_job_pdf"),
]
