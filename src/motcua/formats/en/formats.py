"""English pages of a Vietnamese system: dates stay dd/mm/yyyy (as on every paper and slip), and a date
typed as 01/02/2026 is the 1st of February, never January the 2nd."""

from motcua.formats.vi.formats import (  # noqa: F401
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
)
