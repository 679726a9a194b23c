"""The intake path: a file in an inbox (or an upload) becomes a queued task.

watcher (events, rescans) -> settle (is the write finished?) -> spool (claim into the work
folder) -> intake (sha256, duplicates, batch) -> queue (enqueue the task id); reconcile
(the work folder against Redis), retry (failed files back through intake), faults (crash
points for the tests).

Import rule: ingest imports docvault.core only, never pipeline or the faces; the job is
enqueued by name (docvault.core.jobs.OCR_FUNCTION).
"""
