# Dates as Russian is written, with the month in the genitive: "15 мая 2026" (Django's own
# Russian formats print "15 мая 2026 г." and "15.05.2026"; "г." doubles a sentence's full stop).
# One format for long and short dates, so every page, PDF and message reads the same.
DATE_FORMAT = "j E Y"
SHORT_DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "j E Y, H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
# The month, without the year, as in "с 7 декабря" (the calendar's headings, the appointments).
MONTH_DAY_FORMAT = "j E"
# The appointment's day as people write it: "Пн, 7 декабря" (then ", 10:30, кабинет 2"; see
# documents.times). Django's "b" would print the nominative "7 май".
APPOINTMENT_DATE_FORMAT = "D, j E"
