"""The shared core of DocVault Ingest: config, errors, the task record, the status store,
durable file writes, names, file types, PDF facts, sidecars, the outbox check and the
RQ queues. Both halves (ingest, pipeline) and the faces build on it.

Import rule: docvault.core imports nothing of ours (no ingest, pipeline or faces).
"""
