"""``python -m rope_ref.cli``: the same as the ``rope-ref`` command."""

import sys

from rope_ref.cli import main

sys.exit(main())
