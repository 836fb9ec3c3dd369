"""``python -m meanfield_cli``: the ``meanfield`` command without the console script."""

import sys

from .main import main

sys.exit(main())
