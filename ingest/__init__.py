"""DocVault Ingest: the watched folders, the spool, the queue, the status store and the CLI.

`ingest` never imports `pipeline`: jobs are enqueued by name ("pipeline.job.run").
"""
