"""The BPMN runtime: parsing, versioned deployment, instances, human tasks, timers, audit.

Knows nothing of Flask and nothing of Vietnamese procedures.
"""
