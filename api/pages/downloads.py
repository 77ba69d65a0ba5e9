"""Files the pages hand to the browser to save."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from itertools import islice

from fastapi.responses import StreamingResponse

from api.i18n import N_
from core.i18n import shown_today
from ipsearch.results import ExportFormat

# A downloaded CSV's columns as its reader calls them (Excel shows 公开号, not pn); the API's
# exports keep the field names, which scripts read. "applicants" holds the owners: the assignees,
# else the applicants.
COLUMN_LABELS = {"pn": N_("Publication number"), "title": N_("Title"), "publication_date": N_("Publication date"),
                 "filing_date": N_("Filing date"), "country": N_("Country"), "kind": N_("Kind code"),
                 "applicants": N_("Applicant/assignee"), "ipc": N_("IPC class"), "family_id": N_("Family ID"),
                 "family_members": N_("Family members"), "tags": N_("Tags"), "notes": N_("Notes"),
                 # regional statistics (analytics.regional)
                 "province": N_("Province"), "prefecture": N_("City"), "code": N_("Code"), "documents": N_("Documents"),
                 "applicants_here": N_("Applicants based here"), "applicant": N_("Applicant"), "share": N_("Share (%)")}


def dated(stem: str) -> str:
    """``stem`` with today's date as the pages show dates (Beijing time): a file saved at 01:00 on
    6 December was named the 5th, the server's UTC day."""
    return f"{stem}-{shown_today().isoformat()}"


def download(rows: Iterator[str], fmt: ExportFormat, stem: str, translate: Callable[[str], str]) -> StreamingResponse:
    """``rows`` as a file named ``stem.csv`` or ``stem.jsonl``. CSV starts with a byte-order mark,
    without which Excel reads UTF-8 Chinese as mojibake, and its header names the columns in the
    reader's language. The first rows are read before the response starts, so a query the backend
    refuses is an error page, not a file cut short."""
    first = list(islice(rows, 2))  # CSV: the header and the first row; JSON Lines: two rows
    if fmt is ExportFormat.csv and first:
        first[0] = _labelled(first[0], translate)

    def body() -> Iterator[str]:
        if fmt is ExportFormat.csv:
            yield "\ufeff"
        yield from first
        yield from rows

    return StreamingResponse(body(), media_type=fmt.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt.value}"'})


def _labelled(header: str, translate: Callable[[str], str]) -> str:
    names = next(csv.reader([header]))
    out = io.StringIO()
    csv.writer(out).writerow([translate(COLUMN_LABELS[name]) if name in COLUMN_LABELS else name for name in names])
    return out.getvalue()
