# Dates a clinic reads without doubt: 14 Feb 2026, not 02/14/2026.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"]
# An appointment as people write it: "Mon 7 Dec" (then ", 10:30, room 2"; see documents.times).
APPOINTMENT_DATE_FORMAT = "D j M"
# A day without the year: "7 Dec" (the week's heading, the calendar's columns).
MONTH_DAY_FORMAT = "j M"
