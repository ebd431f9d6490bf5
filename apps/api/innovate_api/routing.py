"""URL converters: resource ids are positive 64-bit integers, anything else is a 404."""

from werkzeug.routing import BaseConverter


class IdConverter(BaseConverter):
    """A positive id that fits PostgreSQL's bigint (at most 18 digits, no leading zero)."""

    regex = r"[1-9][0-9]{0,17}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
