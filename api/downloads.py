"""File responses: a safe Content-Disposition (UTF-8 names per RFC 6266) and no sniffing."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def file_response(content: bytes, media_type: str, filename: str, *, inline: bool = False,
                  etag: str | None = None) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = "inline" if inline else "attachment"
    response = Response(content, mimetype=media_type.split(";")[0])
    if media_type.startswith("text/"):
        response.charset = "utf-8"
    if media_type.startswith("text/html"):  # a printable form: its own styles, nothing to run or fetch
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag:
        response.set_etag(etag)
    return response
