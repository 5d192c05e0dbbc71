"""The error hierarchy services raise; one handler turns it into HTTP (see registry.api).

Messages are Chinese and written where the error is raised, because that is where the reason
is known. `__type` strings are CKAN's exact ones: ckanapi picks its exception class from them.
"""
from __future__ import annotations


class RegistryError(Exception):
    status = 400
    ckan_type = "Validation Error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def error_dict(self) -> dict:
        return {"__type": self.ckan_type, "message": self.message}


class NotFound(RegistryError):
    status = 404
    ckan_type = "Not Found Error"


class NotAuthorized(RegistryError):
    status = 403
    ckan_type = "Authorization Error"


class ValidationFailed(RegistryError):
    """Field → list of Chinese messages."""

    status = 409
    ckan_type = "Validation Error"

    def __init__(self, errors: dict[str, list[str]] | str, message: str = "输入有误"):
        if isinstance(errors, str):
            errors = {"message": [errors]}
        self.errors = errors
        detail = "；".join(f"{k}：{'，'.join(map(str, v)) if isinstance(v, list) else v}"
                          for k, v in errors.items())
        super().__init__(f"{message}：{detail}" if detail else message)

    def error_dict(self) -> dict:
        body = {"__type": self.ckan_type, "message": self.message}
        for key, value in self.errors.items():
            if key not in ("__type", "message"):
                body[key] = value
        return body


class Conflict(RegistryError):
    """A concurrent change or a state that forbids the write."""

    status = 409
    ckan_type = "Validation Error"

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.details = details or {}

    def error_dict(self) -> dict:
        body = {"__type": self.ckan_type, "message": self.message, "conflict": [self.message]}
        if self.details:
            body["changes"] = self.details
        return body


class SearchQueryError(RegistryError):
    status = 400
    ckan_type = "Search Query Error"
