"""The kernel's side of the answers service: post a checked answer, read the cohort's answers back.

In a participant's server the hub sets ``JUPYTERHUB_API_TOKEN`` (the user's own token, with the scope to use
the answers service) and the course's config sets ``NMD_WORKSHOP_ANSWERS_SERVICE`` (the service's URL through
the hub's proxy). Each post carries a fresh ``answer_id``; a post whose reply is lost is sent again with the
same id, and the service records it once. The user is never sent: the service reads it from the token.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pandas as pd

from nmd_immuno.workshop.store import COLUMNS, typed_attempts

SERVICE_VAR = "NMD_WORKSHOP_ANSWERS_SERVICE"
TOKEN_VAR = "JUPYTERHUB_API_TOKEN"
TRIES = 3


class ServiceError(RuntimeError):
    """The service refused a request or could not be reached; the message says which and why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AnswersService:
    """The answers service at ``url`` (ending in '/'), used with ``token`` (the user's hub token)."""

    def __init__(self, url: str, token: str, *, timeout_s: float = 5.0) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.token = token
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"AnswersService({self.url!r})"

    @property
    def key(self) -> str:
        return self.url

    @classmethod
    def from_env(cls, *, timeout_s: float = 5.0) -> AnswersService | None:
        """The service this server was started with, or None outside a workshop (or without a token)."""
        url, token = os.environ.get(SERVICE_VAR, "").strip(), os.environ.get(TOKEN_VAR, "").strip()
        return cls(url, token, timeout_s=timeout_s) if url and token else None

    def _request(self, method: str, path: str, body: object | None = None) -> object:
        request = urllib.request.Request(
            urllib.parse.urljoin(self.url, path),
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read().decode() or "null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            with contextlib.suppress(ValueError, AttributeError):
                detail = json.loads(detail).get("message", detail)
            raise ServiceError(f"the answers service refused: {error.code} {detail}", error.code) from None

    def record(self, quiz_id: str, item_id: str, answer: str | float, answer_id: str | None = None) -> dict:
        """Post one checked answer; the service checks it and records it as the token's user.

        Returns the service's reply (``recorded``: False when this ``answer_id`` was recorded before).
        Network failures are retried with the same ``answer_id``; a refusal (4xx) is raised at once.
        """
        body = {
            "answer_id": answer_id or uuid.uuid4().hex,
            "quiz_id": quiz_id,
            "item_id": item_id,
            "answer": answer,
        }
        for attempt in range(TRIES):
            try:
                return self._request("POST", "api/answers", body)  # type: ignore[return-value]
            except ServiceError as error:
                if error.status is not None and error.status < 500:
                    raise
                last: Exception = error
            except OSError as error:  # refused, reset, timed out: the answer may or may not have arrived
                last = error
            time.sleep(0.2 * (attempt + 1))
        raise ServiceError(f"the answers service could not be reached ({type(last).__name__}: {last})")

    def whoami(self) -> dict:
        """Who the service takes this token for: ``{"user": ..., "instructor": ...}``."""
        return self._request("GET", "api/me")  # type: ignore[return-value]

    def attempts(self, quiz_id: str | None = None) -> pd.DataFrame:
        """Every attempt (instructors only), as :meth:`AnswerStore.attempts` returns them."""
        query = "" if quiz_id is None else "?" + urllib.parse.urlencode({"quiz_id": quiz_id})
        rows = self._request("GET", "api/attempts" + query)
        return typed_attempts(pd.DataFrame(rows, columns=COLUMNS))
