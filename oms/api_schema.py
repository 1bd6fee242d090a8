"""OpenAPI post-processing: every operation documents the answers any endpoint can give.

Authentication (401), rate limits (429) and refused input (400: bad query or body, over-deep JSON, NUL
characters) come from the project-wide machinery rather than from each view, so they are added here once.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What was wrong and how to fix it"}},
    "additionalProperties": True,
}
COMMON_RESPONSES = {
    "400": "The request was refused: the message says which field or parameter to fix.",
    "401": "No or an invalid token: send `Authorization: Token <token>`.",
    "429": "Too many requests for this channel: wait for the `Retry-After` seconds.",
}


def add_common_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in COMMON_RESPONSES.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
