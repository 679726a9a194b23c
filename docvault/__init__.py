"""DocVault Ingest's faces: the `docvault` command (cli, up), the HTTP API and the
dashboard (web), stats, health and the local redis-server.

The house, and what may import what (tests/test_imports.py checks it):
  docvault.core   the shared core: imports nothing of ours
  ingest          the intake path: imports docvault.core only
  pipeline        the worker side: imports docvault.core only
  docvault.*      the faces (everything here but core): may import anything
"""
