"""The API's JSON renderer: DRF's output, encoded by orjson.

DRF's renderer runs the standard library's encoder, which hands every date and time to a Python
`default()`: on a page of tasks with three datetimes a row, a large share of the request's CPU.
orjson encodes the same data in Rust, datetimes included, to the same JSON: compact, UTF-8, a
UTC time ending in `Z`. What it does not know (a Decimal, a lazy translation, a set) goes through
DRF's own `default()`; what it refuses (an integer beyond 64 bits) and an indented answer
(`Accept: application/json; indent=4`) are rendered by DRF's renderer itself. One difference: a
float that is not a number becomes `null`, where DRF's renderer fails with a server error (the
API sends none).
"""

from __future__ import annotations

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
# Valid JSON, but not valid JavaScript in a string literal: DRF escapes them, and so do we.
_LINE_SEPARATORS = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))
_default = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:  # beyond orjson (a 65-bit integer): as DRF always did
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _LINE_SEPARATORS:
            if raw in rendered:
                rendered = rendered.replace(raw, escaped)
        return rendered
