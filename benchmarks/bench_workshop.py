"""Benchmark: how many participants one workshop server holds (workshop/jupyterhub_config.py, real users).

Starts the hub with a roster of test users (created by the hub, removed at the end; needs root), then prints:

* spawn time per participant: from the start request to a ready server, servers started one after another;
* memory per participant: the resident memory (RSS, summed over the server's process tree) of an idle
  server, and of the same server with one kernel that has built the live quiz (what a participant uses);
* answers per second through the answers service: every participant posts 15 answers at once, with the
  hub-issued token of their own.

    sudo .venv/bin/python benchmarks/bench_workshop.py               # 5 servers, 30 answering participants
    sudo .venv/bin/python benchmarks/bench_workshop.py --servers 8 --answering 60

Results are also written to ``benchmarks/results/bench_workshop.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from workshop_hub_helpers import PREFIX, Kernel, WorkshopHub, hub_folder  # noqa: E402

from nmd_immuno.quiz import load_quiz  # noqa: E402
from nmd_immuno.quiz.schema import LETTERS  # noqa: E402
from nmd_immuno.workshop import AnswersService  # noqa: E402

QUIZ = "myasthenia_gravis"
QUIZ_CELL = (
    f"from nmd_immuno.widgets.quiz import quiz_widget\nquiz = quiz_widget({QUIZ!r})\nprint(len(quiz.items))"
)


def tree_rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=5, help="participants whose servers are started")
    parser.add_argument("--answering", type=int, default=30, help="participants posting answers at once")
    args = parser.parse_args()
    spawned = [f"{PREFIX}b{n:02d}" for n in range(args.servers)]
    answering = [f"{PREFIX}a{n:02d}" for n in range(args.answering)]
    roster = {f"{PREFIX}binst": "instructor"} | dict.fromkeys(spawned + answering, "participant")
    hub = WorkshopHub(hub_folder(), roster)
    try:
        began = time.monotonic()
        hub.start()
        print(f"hub started with {len(roster)} accounts in {time.monotonic() - began:.1f} s")
        spawn_s, pids = [], {}
        for user in spawned:
            began = time.monotonic()
            pids |= hub.start_servers([user])
            spawn_s.append(time.monotonic() - began)
        time.sleep(3)
        idle_mb = [tree_rss_mb(pids[user]) for user in spawned]
        for user in spawned:
            Kernel(hub, user).run(QUIZ_CELL)
        time.sleep(2)
        working_mb = [tree_rss_mb(pids[user]) for user in spawned]

        items = [item for _, item in load_quiz(QUIZ).items() if item.type == "single"][:15]
        tokens = {user: hub.user_token(user) for user in answering}

        def answer_all(user: str) -> int:
            service = AnswersService(hub.service, tokens[user], timeout_s=60)
            for number, item in enumerate(items):
                service.record(QUIZ, item.id, LETTERS[number % 2], f"{user}-{number:02d}")
            return len(items)

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(answering)) as pool:
            posted = sum(pool.map(answer_all, answering))
        answer_s = time.monotonic() - began
    finally:
        hub.stop()
        hub.remove_users()
        shutil.rmtree(hub.folder, ignore_errors=True)

    result = {
        "servers": args.servers,
        "spawn_s_mean": sum(spawn_s) / len(spawn_s),
        "spawn_s_max": max(spawn_s),
        "idle_server_mb_mean": sum(idle_mb) / len(idle_mb),
        "server_with_quiz_kernel_mb_mean": sum(working_mb) / len(working_mb),
        "server_with_quiz_kernel_mb_max": max(working_mb),
        "answers": posted,
        "answers_per_s": posted / answer_s,
    }
    per_person = result["server_with_quiz_kernel_mb_max"]
    result["participants_in_24_gb_leaving_4_gb"] = int((24 - 4) * 1024 / per_person)
    print(
        f"spawn time per participant: mean {result['spawn_s_mean']:.1f} s, max {result['spawn_s_max']:.1f} s"
    )
    print(
        f"memory per participant: idle server {result['idle_server_mb_mean']:.0f} MB; server + quiz kernel "
        f"{result['server_with_quiz_kernel_mb_mean']:.0f} MB (max {per_person:.0f} MB)"
    )
    print(f"answers through the service: {posted} in {answer_s:.1f} s = {result['answers_per_s']:.0f}/s")
    print(
        f"24 GB with 4 GB kept for the system: {result['participants_in_24_gb_leaving_4_gb']} participants "
        "by memory"
    )
    out = REPO / "benchmarks" / "results" / "bench_workshop.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
