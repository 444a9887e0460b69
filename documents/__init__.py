"""Documents made from courses: PDF handouts and session sheets, the calendar file, pain charts,
and the day's sheets rendered in the background."""
