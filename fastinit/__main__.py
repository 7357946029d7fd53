"""``python -m fastinit``: see :mod:`fastinit.cli`."""

import sys

from fastinit.cli import main

if __name__ == "__main__":
    sys.exit(main())
