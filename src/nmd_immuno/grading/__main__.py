"""Entry point: ``python -m nmd_immuno.grading <command>`` (see ``cli``)."""

import sys

from nmd_immuno.grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
