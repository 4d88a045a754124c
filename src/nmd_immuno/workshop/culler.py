"""jupyterhub-idle-culler as the workshop hub runs it: ``python -m nmd_immuno.workshop.culler --timeout=...``.

Only one thing is added: the hub stops a managed service with SIGINT first, and the culler (2.0.0) swallows
the KeyboardInterrupt inside its event loop and runs on, so the hub's shutdown (Ctrl-C on `make workshop`)
waited for it. Here SIGINT and SIGTERM end it at once; the culling is the package's own.
"""

from __future__ import annotations

import signal
import sys

from jupyterhub_idle_culler import main


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    sys.argv[0] = "jupyterhub_idle_culler"
    main()
