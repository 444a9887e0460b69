"""URL path converters shared by the apps' urls.py."""


class ChoiceConverter:
    """Matches one of a fixed set of words; subclasses set ``regex`` to "a|b|c"."""

    regex: str

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class PeriodKindConverter(ChoiceConverter):
    regex = "exacerbations|contraindications"


class CloseActionConverter(ChoiceConverter):
    regex = "complete|cancel"
