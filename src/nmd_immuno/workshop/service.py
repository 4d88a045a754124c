"""The workshop's answers service: a JupyterHub service (``c.JupyterHub.services``) that owns the answers.

Run by the hub as ``python -m nmd_immuno.workshop.service``, as a system user of its own (``nmd-answers``),
with the store in a folder only that user can read. The hub authenticates every request
(:class:`jupyterhub.services.auth.HubOAuth`: the caller's own hub token, or the service's login cookie in a
browser), so:

* ``POST api/answers`` records a checked answer as **the token's user**: the body has no user field, and a
  name sent anyway is refused. The service checks the answer itself against the quiz (the client's verdict is
  not trusted either). A retried post (same ``answer_id``) is recorded once. A malformed post gets 400 and a
  message naming the field. Only users in the hub groups ``participants`` or ``instructors`` (from the roster)
  may post; anyone else gets a clear refusal.
* ``GET api/attempts[?quiz_id=]``: every attempt, for members of the ``instructors`` group only (the
  dashboard reads through it).
* ``GET api/me``: who the service takes the caller for. ``GET /`` (browser): the same as a page.

Settings: ``NMD_WORKSHOP_ANSWERS_URL`` (SQLAlchemy URL of the store; sqlite on one server, PostgreSQL on
Kubernetes) and ``NMD_WORKSHOP_ANSWERS_BIND`` (host:port to listen on; default from the hub's
``JUPYTERHUB_SERVICE_URL``). The groups are read from the hub's API with the service's own token (its role
grants ``read:groups`` on the two groups only) and cached for a few seconds.
"""

from __future__ import annotations

import html
import json
import logging
import os
import signal
import time
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpclient, ioloop, web

from nmd_immuno.quiz.answers import QuizResponseError, check_response
from nmd_immuno.quiz.loader import load_quiz
from nmd_immuno.quiz.schema import Item
from nmd_immuno.workshop.store import (
    URL_VAR,
    AnswerStore,
    StoreUnavailable,
    WorkshopInputError,
    answer_id_text,
)

BIND_VAR = "NMD_WORKSHOP_ANSWERS_BIND"
INSTRUCTORS, PARTICIPANTS = "instructors", "participants"
GROUP_CACHE_S = 5.0
FIELDS = ("answer_id", "quiz_id", "item_id", "answer")
log = logging.getLogger("nmd_immuno.workshop.service")


class Refused(web.HTTPError):
    """A refusal with a message for the caller (JSON for the API, a page for a browser)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, reason=None)
        self.message = message


class Groups:
    """The hub's ``instructors`` and ``participants`` groups, read with the service's token and cached."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url, self.token = api_url, token
        self._members: dict[str, set[str]] = {}
        self._read_at = -GROUP_CACHE_S

    async def members(self, group: str) -> set[str]:
        if time.monotonic() - self._read_at > GROUP_CACHE_S:
            client = httpclient.AsyncHTTPClient()
            members = {}
            for name in (INSTRUCTORS, PARTICIPANTS):
                response = await client.fetch(
                    url_path_join(self.api_url, "groups", name),
                    headers={"Authorization": f"token {self.token}"},
                    raise_error=False,
                )
                members[name] = set(json.loads(response.body)["users"]) if response.code == 200 else set()
            self._members, self._read_at = members, time.monotonic()
        return self._members.get(group, set())


def checked(item: Item, answer: object) -> tuple[str, bool]:
    """The answer as stored (letters "B", "A+C", or a number) and whether it is correct, by the quiz's key."""
    if item.type == "multiple" and isinstance(answer, str):
        response: object = [part for part in answer.split("+") if part.strip()]
    else:
        response = answer
    feedback = check_response(item, response)
    if item.type == "numeric":
        return repr(
            float(response if not isinstance(response, str) else response.replace(",", ".", 1))
        ), feedback.correct
    return "+".join(option.letter for option in feedback.chosen), feedback.correct


def parse_answer(body: bytes) -> dict[str, Any]:
    """The posted answer, checked field by field; WorkshopInputError names the first bad field."""
    try:
        data = json.loads(body or b"null")
    except ValueError as error:
        raise WorkshopInputError(
            f"body: not JSON ({error}); expected an object with {', '.join(FIELDS)}"
        ) from None
    if not isinstance(data, dict):
        raise WorkshopInputError(f"body: got {data!r:.80}; expected a JSON object with {', '.join(FIELDS)}")
    unexpected = sorted(set(data) - set(FIELDS))
    if unexpected:
        extra = (
            "; the user is the one the hub authenticated" if {"user", "username"} & set(unexpected) else ""
        )
        raise WorkshopInputError(
            f"{unexpected[0]}: not a field of an answer (fields: {', '.join(FIELDS)}){extra}"
        )
    for field in FIELDS:
        if field not in data:
            raise WorkshopInputError(f"{field}: missing; expected the fields {', '.join(FIELDS)}")
    answer_id_text(data["answer_id"])
    try:
        quiz = load_quiz(data["quiz_id"])
    except Exception as error:  # an unknown or malformed id: the loader's message lists what exists
        raise WorkshopInputError(f"quiz_id: got {data['quiz_id']!r}; {error}") from None
    try:
        item = quiz.item(data["item_id"]) if isinstance(data["item_id"], str) else None
    except KeyError:
        item = None
    if item is None:
        items = ", ".join(i.id for _, i in quiz.items())
        raise WorkshopInputError(f"item_id: got {data['item_id']!r}; expected one of {items}")
    try:
        answer, correct = checked(item, data["answer"])
    except (QuizResponseError, TypeError, ValueError) as error:
        raise WorkshopInputError(f"answer: got {data['answer']!r:.80}; {error}") from None
    return {**data, "answer": answer, "correct": correct}


class Base(HubOAuthenticated, web.RequestHandler):
    """Who is calling, and refusals in the caller's language (JSON for the API, a page for a browser)."""

    @property
    def store(self) -> AnswerStore:
        return self.settings["store"]

    @property
    def groups(self) -> Groups:
        return self.settings["groups"]

    async def caller(self, *, api: bool) -> tuple[str, bool]:
        """The authenticated user and whether they are an instructor; refuses everyone else."""
        if api and "Authorization" not in self.request.headers:
            # API calls carry the caller's token: no cookie-authenticated posts, so no cross-site forgery
            raise Refused(403, "send your hub API token: Authorization: token $JUPYTERHUB_API_TOKEN")
        model = self.get_current_user()
        if not model:
            raise Refused(
                403, "not authenticated by the hub (no token, or one without access to this service)"
            )
        if model.get("kind") != "user":
            raise Refused(403, f"{model.get('kind')} {model.get('name')!r}: only workshop users answer")
        name = model["name"]
        instructors = await self.groups.members(INSTRUCTORS)
        if name not in instructors and name not in await self.groups.members(PARTICIPANTS):
            raise Refused(403, f"{name!r} is not on this workshop's roster: ask the workshop's instructor")
        return name, name in instructors

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        message = getattr(error, "message", None) or self._reason
        if "/api/" in self.request.path:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"status": status_code, "message": message}))
            return
        self.finish(
            "<!doctype html><title>Workshop answers</title>"
            f"<h1>Not allowed</h1><p>{html.escape(message)}</p>"
            '<p><a href="/hub/home">Back to the hub</a></p>'
        )

    def send(self, data: object, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


class AnswersHandler(Base):
    async def post(self) -> None:
        user, _ = await self.caller(api=True)
        try:
            answer = parse_answer(self.request.body)
        except WorkshopInputError as error:
            raise Refused(400, str(error)) from None
        try:
            new = await ioloop.IOLoop.current().run_in_executor(
                None,
                lambda: self.store.record(
                    user,
                    answer["quiz_id"],
                    answer["item_id"],
                    answer["answer"],
                    answer["correct"],
                    answer["answer_id"],
                ),
            )
        except StoreUnavailable as error:
            log.error("%s", error)
            raise Refused(503, "the answers store is unavailable; the quiz will say so, try again") from None
        self.send(
            {"recorded": new, "user": user, "correct": answer["correct"], "answer_id": answer["answer_id"]},
            201 if new else 200,
        )


class AttemptsHandler(Base):
    async def get(self) -> None:
        user, instructor = await self.caller(api=True)
        if not instructor:
            raise Refused(403, f"{user!r}: only instructors read the cohort's answers")
        quiz_id = self.get_query_argument("quiz_id", None)
        frame = await ioloop.IOLoop.current().run_in_executor(None, self.store.attempts, quiz_id)
        frame = frame.assign(recorded_at=frame["recorded_at"].map(lambda t: t.isoformat()))
        self.set_header("Content-Type", "application/json")
        self.finish(frame.to_json(orient="records"))


class MeHandler(Base):
    async def get(self) -> None:
        user, instructor = await self.caller(api=True)
        self.send({"user": user, "instructor": instructor})


class PageHandler(Base):
    @web.authenticated
    async def get(self) -> None:
        user, instructor = await self.caller(api=False)
        role = "an instructor: the dashboard notebook reads the answers" if instructor else "a participant"
        self.finish(
            f"<!doctype html><title>Workshop answers</title><h1>Workshop answers</h1>"
            f"<p>You are <b>{html.escape(user)}</b>, {role}. Answers are recorded from the quiz in your "
            "notebooks.</p>"
        )


def make_app(store: AnswerStore, prefix: str, api_url: str, token: str) -> web.Application:
    return web.Application(
        [
            (prefix, PageHandler),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
            (url_path_join(prefix, "api/answers"), AnswersHandler),
            (url_path_join(prefix, "api/attempts"), AttemptsHandler),
            (url_path_join(prefix, "api/me"), MeHandler),
        ],
        store=store,
        groups=Groups(api_url, token),
        cookie_secret=os.urandom(32),
        login_url=url_path_join(prefix, "oauth_callback").replace("oauth_callback", "../../hub/login"),
        hub_auth=HubOAuth.instance(),
    )


def bind_address() -> tuple[str, int]:
    """Where to listen: NMD_WORKSHOP_ANSWERS_BIND (host:port), else the hub's JUPYTERHUB_SERVICE_URL."""
    value = os.environ.get(BIND_VAR, "").strip() or os.environ.get("JUPYTERHUB_SERVICE_URL", "")
    parsed = urlparse(value if "://" in value else f"http://{value}")
    if not parsed.hostname or not parsed.port:
        raise SystemExit(
            f"{BIND_VAR}: got {value!r}; expected host:port, e.g. 127.0.0.1:8013 or 0.0.0.0:8013"
        )
    return parsed.hostname, parsed.port


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[nmd-answers %(levelname)s] %(message)s")
    store = AnswerStore.from_env()
    if store is None:
        raise SystemExit(f"{URL_VAR} is not set: the SQLAlchemy URL of the answers store")
    store.attempts()  # fail at start, not at the first answer, if the store cannot be opened
    host, port = bind_address()
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/nmd-answers/")
    app = make_app(store, prefix, os.environ["JUPYTERHUB_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"])
    app.listen(port, host, xheaders=True)
    log.info("answers service on %s:%s%s, store %r", host, port, prefix, store)
    loop = ioloop.IOLoop.current()
    for signum in (signal.SIGINT, signal.SIGTERM):  # the hub stops its services with SIGINT, then SIGTERM
        signal.signal(signum, lambda *_: loop.add_callback_from_signal(loop.stop))
    loop.start()


if __name__ == "__main__":
    main()
