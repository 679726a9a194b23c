"""The worker side: the job an RQ worker runs for one task, its stages, and the worker.

job (RQ adapter) -> process (the flow) -> read (detect -> pages -> ocr, per page) ->
metadata -> categorize -> output -> finish (complete, or failed); progress (status and
job.meta); worker/ (the RQ worker, recovery of abandoned tasks, webhooks).

Import rule: pipeline imports docvault.core only, never ingest or the faces.
"""
