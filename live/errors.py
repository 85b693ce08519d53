"""Domain errors carry a status, a code and details; one handler turns them into JSON.

Every error the API returns has the shape {"error": {"code", "message", "details"}}.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def as_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found", details={"resource": what, "id": ident})


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(DomainError):
    """422 naming each bad field: details = {"fields": [{"field", "message"}]}."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, fields: list[dict[str, Any]], message: str | None = None) -> None:
        first = fields[0] if fields else {"field": "?", "message": "invalid"}
        super().__init__(
            message or f"{first['field']}: {first['message']}", details={"fields": fields}
        )

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        return cls([{"field": field, "message": message}])


class RuleBroken(ValidationFailed):
    """422 for a request whose every field fits its schema but which breaks a rule no schema
    can state: between fields (`ends_on` before `starts_on`), against the stored record (a
    PATCHed `live_price` above the kept `list_price`), or naming a record that doesn't exist.

    Its own code, so `validation_failed` keeps its promise: a request valid against the
    OpenAPI document never gets it."""

    code = "rule_broken"


class TooManyRequests(DomainError):
    """Come back later (the answer carries Retry-After): nothing of the request was kept."""

    status_code = 429
    code = "too_many_requests"


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "unavailable"
