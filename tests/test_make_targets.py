"""The README's commands besides the two big ones: `make lab` serves JupyterLab on the course's own kernel;
`make workshop` starts the hub with the course's config on the port given, on loopback whatever HOST says."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest
from server_helpers import free_port, stop_group, wait_until_listening

REPO = Path(__file__).resolve().parents[1]


def test_make_workshop_runs_the_hub_with_its_config_and_port() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("NMD_WORKSHOP")}
    env |= {"HOST": "0.0.0.0", "WORKSHOP_HOST": "0.0.0.0"}  # inherited: must not open the hub to the network
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "workshop", "WORKSHOP_PORT=8123"],  # ROSTER: the demo
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    command = done.stdout.replace("\\\n", " ")
    hub = next(line for line in command.splitlines() if "/jupyterhub -f " in line).split()
    assert hub[-3:] == [".venv/bin/jupyterhub", "-f", "workshop/jupyterhub_config.py"], hub
    settings = dict(word.split("=", 1) for word in hub[:-3])
    assert settings["NMD_WORKSHOP_PORT"] == "8123"
    assert settings["NMD_WORKSHOP_HOST"] == "127.0.0.1"
    assert Path(settings["NMD_WORKSHOP_STATE"]) == REPO / "workshop" / "state"
    assert Path(settings["NMD_WORKSHOP_ROSTER"]) == REPO / "workshop" / "demo-roster.csv"
    assert "http://127.0.0.1:8123/" in command


@pytest.mark.slow
def test_make_lab_serves_jupyterlab_with_the_course_kernel(tmp_path: Path) -> None:
    port = free_port()
    token = "course-test-token"
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"PORT={port}"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            wait_until_listening(process, port, timeout_s=120)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from None
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as response:
            assert response.status == 200
            assert "JupyterLab" in response.read().decode()
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=30) as response:
            specs = json.load(response)
        # The default kernel is the one `make install` registered inside .venv: notebooks import the package.
        default = specs["kernelspecs"][specs["default"]]["spec"]
        assert Path(default["argv"][0]) == REPO / ".venv" / "bin" / "python", default["argv"]
        assert specs["kernelspecs"][specs["default"]]["spec"]["display_name"] == "Python 3 (nmd_immuno)"
        # The notebook directory is the repository: the chapters and labs are where the README says.
        with urllib.request.urlopen(f"{base}/api/contents/book?token={token}", timeout=30) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert "myasthenia-gravis.md" in names
    finally:
        stop_group(process)
