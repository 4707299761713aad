"""``python -m conflict_lib``: see :mod:`conflict_lib.cli`."""
import sys

from .cli import main

sys.exit(main())
