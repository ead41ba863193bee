"""Signatures of the department: its key (keys.py), PAdES signing and validation (pades.py), the
stamp's font (stamp_font.py) and the demo certificate (demo.py). Knows nothing of dossiers."""
