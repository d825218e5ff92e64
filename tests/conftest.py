"""Shared by every test folder.

The test folders are not packages; this puts ``tests/`` on the import path so
that each can read the repository's paths from one place (``paths.py``).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
