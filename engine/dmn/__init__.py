"""DMN decision tables: reading a .dmn file (reading.py), the table (model.py), running it with every hit
policy (evaluation.py), and business rule tasks calling a deployed decision (tasks.py).

Versioned storage of the files is engine/decisions.py. Nothing is imported here: engine/parsing.py uses
tasks.py, and reading.py uses engine/parsing.py's hardened XML reading.
"""
