# Django's Russian formats, plus the appointment's day as people write it: "Пн, 7 дек"
# (then ", 10:30, кабинет 2"; see documents.times).
APPOINTMENT_DATE_FORMAT = "D, j b"
