"""Strategies for the formats Darkroom's OpenAPI document names beyond
JSON Schema's own (loaded by schemathesis through SCHEMATHESIS_HOOKS)."""

import datetime

import schemathesis
from hypothesis import strategies as st

# `future-date-time`: an RFC 3339 instant after the moment the request is
# handled (expiries, deadlines). Any instant from 2100 on is safely ahead.
schemathesis.openapi.format(
    "future-date-time",
    st.datetimes(
        min_value=datetime.datetime(2100, 1, 1),
        max_value=datetime.datetime(2999, 12, 31),
        timezones=st.just(datetime.timezone.utc),
    ).map(lambda d: d.isoformat().replace("+00:00", "Z")),
)


# tus `PATCH` bodies are the file's bytes as they are.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
