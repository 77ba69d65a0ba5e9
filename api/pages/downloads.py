"""Files the pages hand to the browser to save."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from fastapi.responses import StreamingResponse

from ipsearch.results import ExportFormat


def download(rows: Iterator[str], fmt: ExportFormat, stem: str) -> StreamingResponse:
    """``rows`` as a file named ``stem.csv`` or ``stem.jsonl``. CSV starts with a byte-order mark,
    without which Excel reads UTF-8 Chinese as mojibake. The first rows are read before the
    response starts, so a query the backend refuses is an error page, not a file cut short."""
    first = list(islice(rows, 2))  # CSV: the header and the first row; JSON Lines: two rows

    def body() -> Iterator[str]:
        if fmt is ExportFormat.csv:
            yield "\ufeff"
        yield from first
        yield from rows

    return StreamingResponse(body(), media_type=fmt.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt.value}"'})
