"""Answers for the hot routes, serialised once.

A route that returns a pydantic model has FastAPI validate it again and serialise it, in the thread
pool when the route is a plain ``def`` (one more thread hop per request). A model the service
built is valid already: these routes keep ``response_model`` for the OpenAPI schema and return its
JSON directly.
"""

from __future__ import annotations

from fastapi.responses import Response
from pydantic import BaseModel


def json_response(model: BaseModel, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``model`` as JSON, serialised by pydantic's core (the same bytes FastAPI would send)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json", headers=headers)
