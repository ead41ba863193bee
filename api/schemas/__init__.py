"""Marshmallow schemas of the API: what requests may carry and what responses hold.

One module per module of api/views (each view imports its own), and `common` for the pieces they
share. A schema's class name is its OpenAPI component's name: renaming one changes the API.
"""
