"""A cohort workshop on a real JupyterHub (workshop/jupyterhub_config.py) with real Unix users, on 127.0.0.1.

The roster has an instructor, three participants who log in and work in their servers, and 30 more who
answer with API tokens the hub issued them (as their servers' kernels would, without 30 servers). The hub
creates every account itself; the module removes them at the end.

Proves: logins over HTTP (form and Chromium) with each person's own password, a clear refusal for a name not
on the roster, each server running as its own uid; from a participant's kernel every file that is not theirs
(another home, the answers store, the hub's database and cookie secret, the instructor's source/) is refused
by the kernel (PermissionError) and an answer cannot be recorded under another name; 30 participants x 15
questions posted concurrently (with retries) are recorded exactly once and the dashboard's counts match; a
killed server loses no posted answer; a restarted hub keeps the accounts, passwords and answers.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests
from workshop_hub_helpers import PREFIX, Kernel, WorkshopHub, hub_folder, password, skip_unless_possible

from nmd_immuno.quiz import load_quiz
from nmd_immuno.quiz.schema import LETTERS
from nmd_immuno.workshop import AnswersService, AnswerStore, ServiceError, cohort_summary

pytestmark = pytest.mark.slow

QUIZ = "myasthenia_gravis"
INSTRUCTOR = f"{PREFIX}inst"
ANA, BEN, CLEO = (f"{PREFIX}{name}" for name in ("ana", "ben", "cleo"))
CROWD = [f"{PREFIX}p{n:02d}" for n in range(1, 31)]
ROSTER = {INSTRUCTOR: "instructor", ANA: "participant", BEN: "participant", CLEO: "participant"}
ROSTER |= dict.fromkeys(CROWD, "participant")


@pytest.fixture(scope="module")
def hub() -> Iterator[WorkshopHub]:
    skip_unless_possible()
    workshop = WorkshopHub(hub_folder(), ROSTER)
    try:
        workshop.start()
        yield workshop
    finally:
        workshop.stop()
        workshop.remove_users()
        shutil.rmtree(workshop.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def servers(hub: WorkshopHub) -> dict[str, int]:
    """The instructor and two participants logged in with their own passwords, their servers started."""
    for user in (INSTRUCTOR, ANA, BEN):
        response = hub.login(user)
        assert response.status_code == 302, f"{user}: {response.status_code} {response.text[:300]}"
    return hub.start_servers([INSTRUCTOR, ANA, BEN])


def single_items(count: int) -> list:
    items = [item for _, item in load_quiz(QUIZ).items() if item.type == "single"]
    assert len(items) >= count, f"{QUIZ} has {len(items)} single-choice items, the test needs {count}"
    return items[:count]


def test_the_roster_became_unix_accounts_with_private_homes(hub: WorkshopHub) -> None:
    for name in ROSTER:
        account = pwd.getpwnam(name)
        assert account.pw_uid >= 1000
        assert os.stat(account.pw_dir).st_mode & 0o777 == 0o700, name
        assert os.stat(account.pw_dir).st_uid == account.pw_uid


def test_each_server_runs_as_its_own_user_with_the_course_copied_in(
    hub: WorkshopHub, servers: dict[str, int]
) -> None:
    for user, pid in servers.items():
        process = psutil.Process(pid)
        assert process.uids().real == process.uids().effective == pwd.getpwnam(user).pw_uid, user
        home = pwd.getpwnam(user).pw_dir
        notebooks = os.path.join(home, "notebooks", "workshop-quiz.ipynb")
        assert os.stat(notebooks).st_uid == pwd.getpwnam(user).pw_uid
    assert os.path.isdir(os.path.join(pwd.getpwnam(INSTRUCTOR).pw_dir, "course", "source"))
    assert not os.path.exists(os.path.join(pwd.getpwnam(ANA).pw_dir, "course")), "participants: no source"


def test_a_wrong_password_and_a_name_off_the_roster_are_refused(hub: WorkshopHub, servers: dict) -> None:
    wrong = hub.login(ANA, "not-anas-password")
    assert wrong.status_code == 403 and "Invalid username or password" in wrong.text
    stranger = hub.login("mallory", "whatever-password")
    assert stranger.status_code == 403
    assert "&#39;mallory&#39; is not on this workshop&#39;s roster" in stranger.text or (
        "'mallory' is not on this workshop's roster" in stranger.text
    )
    with pytest.raises(KeyError):
        pwd.getpwnam("mallory")  # no account was made for the stranger


def test_a_participant_logs_in_through_the_login_page_in_chromium(hub: WorkshopHub, browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(hub.url + "/hub/login")
        page.fill("#username_input", CLEO)
        page.fill("#password_input", password(CLEO))
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{CLEO}/**", timeout=120_000)
    finally:
        context.close()
    pid = hub.start_servers([CLEO])[CLEO]
    assert psutil.Process(pid).uids().effective == pwd.getpwnam(CLEO).pw_uid
    assert hub.login(CLEO).status_code == 302, "the password chosen in the browser is hers now"
    assert hub.login(CLEO, "another-password-1").status_code == 403


PROBE = """
import json, pathlib
targets = {targets!r}
result = {{}}
for name, path in targets.items():
    try:
        p = pathlib.Path(path)
        if p.is_dir():
            list(p.iterdir())
        else:
            p.read_bytes()
        result[name] = "read"
    except PermissionError:
        result[name] = "PermissionError"
    except Exception as error:
        result[name] = type(error).__name__
try:
    open(targets["answers store"], "ab")
    result["write answers store"] = "opened"
except PermissionError:
    result["write answers store"] = "PermissionError"
print(json.dumps(result))
"""


def test_a_participants_kernel_cannot_read_what_is_not_theirs(hub: WorkshopHub, servers: dict) -> None:
    AnswersService(hub.service, hub.user_token(ANA)).record(QUIZ, single_items(1)[0].id, "A")  # store exists
    targets = {
        "another participant's home": pwd.getpwnam(BEN).pw_dir,
        "another participant's notebook": os.path.join(
            pwd.getpwnam(BEN).pw_dir, "notebooks", "workshop-quiz.ipynb"
        ),
        "the answers store": str(hub.answers_file),
        "the answers folder": str(hub.answers_file.parent),
        "the hub's database": str(hub.state / "jupyterhub.sqlite"),
        "the hub's cookie secret": str(hub.state / "jupyterhub_cookie_secret"),
        "the passwords": str(next(hub.state.glob("passwords.dbm*"))),
        "the instructor's source": os.path.join(pwd.getpwnam(INSTRUCTOR).pw_dir, "course", "source"),
    }
    for path in targets.values():
        assert os.path.exists(path), f"{path} must exist for the probe to mean anything"
    got = Kernel(hub, ANA).json(PROBE.format(targets={"answers store": str(hub.answers_file), **targets}))
    assert got == dict.fromkeys([*targets, "answers store", "write answers store"], "PermissionError"), got
    # the same probe reads the participant's own files: the refusals above are the boundary, not a bug
    own = Kernel(hub, ANA).json(
        PROBE.format(
            targets={
                "answers store": str(hub.answers_file),
                "own notebook": os.path.join(pwd.getpwnam(ANA).pw_dir, "notebooks", "workshop-quiz.ipynb"),
            }
        )
    )
    assert own["own notebook"] == "read"


IMPERSONATE = """
import json, os, urllib.request
from nmd_immuno.workshop import AnswersService, ServiceError
service = AnswersService.from_env()
result = {{"whoami": service.whoami()}}
for body in ({{"user": {victim!r}, "answer_id": "forged-0001", "quiz_id": {quiz!r}, "item_id": {item!r},
               "answer": "A"}},):
    request = urllib.request.Request(service.url + "api/answers", data=json.dumps(body).encode(),
                                     method="POST", headers={{"Authorization": "token " + service.token}})
    try:
        urllib.request.urlopen(request)
        result["forged"] = "accepted"
    except urllib.error.HTTPError as error:
        result["forged"] = [error.code, json.loads(error.read())["message"]]
try:
    service.attempts()
    result["read all"] = "allowed"
except ServiceError as error:
    result["read all"] = error.status
result["own"] = service.record({quiz!r}, {item!r}, "A", answer_id="own-answer-0001")
print(json.dumps(result))
"""


def test_posting_under_another_name_is_impossible(hub: WorkshopHub, servers: dict) -> None:
    item = single_items(1)[0]
    got = Kernel(hub, ANA).json(IMPERSONATE.format(victim=BEN, quiz=QUIZ, item=item.id))
    assert got["whoami"] == {"user": ANA, "instructor": False}
    assert got["forged"][0] == 400 and got["forged"][1].startswith("user: not a field")
    assert got["read all"] == 403, "participants cannot read the cohort's answers"
    assert got["own"]["user"] == ANA and got["own"]["recorded"] is True
    attempts = AnswerStore(hub.answers_file).attempts(QUIZ)
    assert BEN not in set(attempts["user"]), "nothing was recorded under ben's name"


QUIZ_IN_KERNEL = """
import json
from nmd_immuno.widgets.quiz import quiz_widget
quiz = quiz_widget({quiz!r})
view = quiz.items[{item!r}]
view.control.value = {index}
view.check_button.click()
print(json.dumps({{"feedback": view.feedback.value, "header": quiz.children[0].value}}))
"""

DASHBOARD = """
import json
from nmd_immuno.workshop import workshop_dashboard
dashboard = workshop_dashboard({quiz!r}, refresh_s=None)
print(json.dumps({{"progress": dashboard.progress.value, "status": dashboard.status.value}}))
"""


def test_the_quiz_posts_through_the_service_and_only_instructors_see_the_dashboard(
    hub: WorkshopHub, servers: dict
) -> None:
    item = single_items(2)[1]
    right = item.correct_indices[0]
    wrong = next(i for i, option in enumerate(item.options) if not option.correct)
    for user, index, verdict in [(ANA, right, "Correct."), (BEN, wrong, "Incorrect.")]:
        shown = Kernel(hub, user).json(QUIZ_IN_KERNEL.format(quiz=QUIZ, item=item.id, index=index))
        assert verdict in shown["feedback"] and "not recorded" not in shown["feedback"], shown
        assert f"recorded as <b>{user}</b>" in shown["header"]
    summary = cohort_summary(AnswerStore(hub.answers_file), QUIZ).set_index("item_id").loc[item.id]
    assert summary["participants"] == 2 and summary["answers"] == {LETTERS[right]: 1, LETTERS[wrong]: 1}

    board = Kernel(hub, INSTRUCTOR).json(DASHBOARD.format(quiz=QUIZ))
    assert ANA in board["progress"] and BEN in board["progress"], board
    refused = Kernel(hub, BEN).run(DASHBOARD.format(quiz=QUIZ))
    assert "only instructors read the cohort" in refused and ANA not in refused


def test_thirty_participants_answer_fifteen_questions_at_once(hub: WorkshopHub) -> None:
    items = single_items(15)
    tokens = {user: hub.user_token(user) for user in CROWD}
    before = len(AnswerStore(hub.answers_file).attempts())
    start = threading.Barrier(len(CROWD))

    def answer_all(user: str) -> list[dict]:
        service = AnswersService(hub.service, tokens[user], timeout_s=30)
        start.wait()
        replies = []
        for number, item in enumerate(items):
            answer_id = f"{user}-q{number:02d}"
            replies.append(service.record(QUIZ, item.id, LETTERS[(number + len(user)) % 2], answer_id))
            if number % 5 == 0:  # the reply was "lost": the client sends the same answer again
                replies.append(service.record(QUIZ, item.id, LETTERS[(number + len(user)) % 2], answer_id))
        return replies

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(CROWD)) as pool:
        replies = [reply for replies in pool.map(answer_all, CROWD) for reply in replies]
    elapsed = time.monotonic() - began
    assert sum(reply["recorded"] for reply in replies) == 450, "each answer new once"
    assert sum(not reply["recorded"] for reply in replies) == 30 * 3, "each retry recognised"
    attempts = AnswerStore(hub.answers_file).attempts(QUIZ)
    crowd = attempts[attempts["user"].isin(CROWD)]
    assert len(crowd) == 450 and len(attempts) == before + 450
    assert crowd.groupby("user").size().eq(15).all()
    seen = AnswersService(hub.service, hub.user_token(INSTRUCTOR)).attempts(QUIZ)
    assert len(seen) == len(attempts), "the instructor reads through the service what the store holds"
    summary = cohort_summary(AnswersService(hub.service, hub.user_token(INSTRUCTOR)), QUIZ)
    per_item = summary.set_index("item_id")["participants"]
    for item in items:
        assert per_item[item.id] >= 30
    print(f"\n450 answers from 30 participants in {elapsed:.1f} s ({450 / elapsed:.0f}/s)")


def test_two_answers_to_the_same_question_at_the_same_moment_are_both_recorded(hub: WorkshopHub) -> None:
    item = single_items(3)[2]
    pair = CROWD[:2]
    services = {user: AnswersService(hub.service, hub.user_token(user)) for user in pair}
    together = threading.Barrier(2)

    def answer(user: str) -> dict:
        together.wait()
        return services[user].record(QUIZ, item.id, "B", answer_id=f"{user}-same-moment")

    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(answer, pair))
    assert [reply["recorded"] for reply in replies] == [True, True]
    attempts = AnswerStore(hub.answers_file).attempts(QUIZ)
    assert set(attempts[attempts["answer"].eq("B") & attempts["item_id"].eq(item.id)]["user"]) >= set(pair)


def test_malformed_posts_get_400_naming_the_field(hub: WorkshopHub) -> None:
    token = hub.user_token(CROWD[5])
    item = single_items(1)[0]
    good = {"answer_id": "malformed-0001", "quiz_id": QUIZ, "item_id": item.id, "answer": "A"}
    cases = {
        "answer_id": {**good, "answer_id": "x"},
        "quiz_id": {**good, "quiz_id": "no_such_quiz"},
        "item_id": {**good, "item_id": "no-such-item"},
        "answer": {**good, "answer": "Z"},
        "body": None,
    }
    for field, body in cases.items():
        response = requests.post(
            hub.service + "api/answers",
            data=b"not json" if body is None else json.dumps(body),
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )
        assert response.status_code == 400, (field, response.text)
        assert response.json()["message"].startswith(f"{field}:"), response.text
    no_token = requests.post(hub.service + "api/answers", json=good, timeout=30)
    assert no_token.status_code == 403


def test_a_killed_server_loses_no_posted_answer(hub: WorkshopHub, servers: dict) -> None:
    item = single_items(4)[3]
    kernel = Kernel(hub, BEN)
    kernel.run(
        "from nmd_immuno.workshop import AnswersService\n"
        f"AnswersService.from_env().record({QUIZ!r}, {item.id!r}, 'C', answer_id='before-the-kill')"
    )
    server = psutil.Process(servers[BEN])
    for process in [server, *server.children(recursive=True)]:
        process.kill()  # the server and its kernels die mid-session
    psutil.wait_procs([server], timeout=10)
    attempts = AnswerStore(hub.answers_file).attempts(QUIZ)
    assert (
        (attempts["user"] == BEN) & (attempts["item_id"] == item.id) & (attempts["answer"] == "C")
    ).sum() == 1


def test_a_restarted_hub_keeps_accounts_passwords_and_answers(hub: WorkshopHub, servers: dict) -> None:
    before = AnswerStore(hub.answers_file).attempts()
    uids = {name: pwd.getpwnam(name).pw_uid for name in ROSTER}
    hub.stop()
    hub.start()
    assert {name: pwd.getpwnam(name).pw_uid for name in ROSTER} == uids
    assert hub.login(ANA).status_code == 302, "her password survived the restart"
    assert hub.login(ANA, "a-new-password-9").status_code == 403, "and nobody can set a new one"
    seen = AnswersService(hub.service, hub.user_token(INSTRUCTOR)).attempts()
    assert len(seen) == len(before)
    with pytest.raises(ServiceError):
        AnswersService(hub.service, "not-a-token").record(QUIZ, single_items(1)[0].id, "A")
