"""jupyterhub-idle-culler, run by the workshop hub as a service, stops an idle participant's server.

A hub of its own (the culler's timeout is a start-up setting): 5 s of idleness, checked every second.
"""

from __future__ import annotations

import shutil
import time

import psutil
import pytest
from workshop_hub_helpers import PREFIX, WorkshopHub, hub_folder, skip_unless_possible

pytestmark = pytest.mark.slow

ROSTER = {f"{PREFIX}cinst": "instructor", f"{PREFIX}cdan": "participant"}


def test_the_idle_culler_stops_an_idle_server() -> None:
    skip_unless_possible()
    user = f"{PREFIX}cdan"
    quick = {"NMD_WORKSHOP_CULL_TIMEOUT": "5", "NMD_WORKSHOP_CULL_EVERY": "1"}
    hub = WorkshopHub(hub_folder(), ROSTER, quick)
    try:
        hub.start()
        pid = hub.start_servers([user])[user]
        assert psutil.pid_exists(pid)
        deadline = time.monotonic() + 120
        while hub.api("GET", f"/hub/api/users/{user}")["servers"]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the idle server was not culled within 120 s"
            time.sleep(1)
        deadline = time.monotonic() + 30
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "the culled server's process is still running"
            time.sleep(0.5)
        assert "Culling server" in hub.log.read_text(), "the culler did it, not something else"
    finally:
        hub.stop()
        hub.remove_users()
        shutil.rmtree(hub.folder, ignore_errors=True)
