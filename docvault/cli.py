"""`docvault`: run the appliance or its parts, and look at tasks.

Each command loads the config once, builds one Redis connection, and passes both down.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from redis import Redis

from docvault import up
from docvault.core import outbox, sidecars, status
from docvault.core.config import Config, load_config
from docvault.core.errors import DocVaultError
from docvault.core.status import TaskState
from docvault.health import PARTS

log = logging.getLogger("docvault")

FOLLOW_SECONDS = 1.0

DESCRIPTION = """\
DocVault Ingest: drop scans into inbox/high, inbox/normal or inbox/low; the text,
a JSON sidecar and a searchable PDF appear in the outbox. Failures go to outbox/failed
with an .error.json that says why.
"""


# "pikepdf C++ to Python logger bridge initialized" once per worker at start
QUIET_LOGGERS = ("pikepdf",)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    if not args.verbose:  # start-up chatter of libraries, not about any file
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        if args.config:
            os.environ["DOCVAULT_CONFIG"] = str(Path(args.config).resolve())
        config = load_config()
        return args.func(args, config)
    except DocVaultError as exc:
        print(f"docvault: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docvault", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", metavar="FILE",
                        help="config file (default: $DOCVAULT_CONFIG, else ./config.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    cmd = sub.add_parser("up", help="run everything: Redis if needed, the watcher, one worker per core",
                         description="Run the whole appliance in the foreground. Starts its own "
                         "redis-server when redis.url is empty and nothing answers on "
                         "127.0.0.1:6379. Ctrl-C lets each worker finish its document and stops.")
    cmd.set_defaults(func=lambda args, config: up.run(config))

    cmd = sub.add_parser("watch", help="run only the ingest daemon (watches the inboxes)")
    cmd.set_defaults(func=cmd_watch)

    cmd = sub.add_parser("worker", help="run one OCR worker (queues high, normal, low in that order)")
    cmd.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    cmd.set_defaults(func=cmd_worker)

    cmd = sub.add_parser("notifier", help="run the webhook sender (notify.webhook_url)",
                         description="POST each finished task to notify.webhook_url, retrying "
                         "as notify.retry_delays says. Its own process, so an OCR worker never "
                         "waits for a slow or silent receiver; `docvault up` starts it.")
    cmd.add_argument("--burst", action="store_true", help="exit when the notify queue is empty")
    cmd.set_defaults(func=cmd_notifier)

    cmd = sub.add_parser("process", help="OCR one file now, without Redis, and print its JSON",
                         description="Run the pipeline on FILE and print the result JSON. The "
                         "file is only read: nothing is moved or written to the outbox.")
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(func=cmd_process)

    cmd = sub.add_parser("status", help="show a task's status and progress, or a batch's totals",
                         description="Show a task's state (WAITING: still in the inbox, not yet complete; "
                         "QUEUED, PROCESSING, RETRYING, COMPLETED, FAILED, SKIPPED), progress and "
                         "message, or with --batch the totals of a dropped "
                         "folder. With --follow, a live progress bar until the task is done; the "
                         "exit status is then 0 for COMPLETED, 1 for FAILED.")
    cmd.add_argument("task_id", nargs="?")
    cmd.add_argument("--batch", metavar="ID", help="totals of a dropped folder (its id is in each JSON)")
    cmd.add_argument("--follow", "-f", action="store_true", help="follow a task's progress until it is done")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.set_defaults(func=cmd_status)

    cmd = sub.add_parser("result", help="print a finished task's result JSON (kept for results.ttl_hours)")
    cmd.add_argument("task_id")
    cmd.add_argument("--json", action="store_true", help="accepted for symmetry: the result is JSON")
    cmd.set_defaults(func=cmd_result)

    cmd = sub.add_parser("list", help="list the tasks Redis remembers (results.status_ttl_days)")
    cmd.add_argument("--status", choices=[s.value for s in TaskState], type=str.upper,
                     help="only tasks in this state")
    cmd.add_argument("--batch", metavar="B", help="only tasks from the dropped folder B")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.set_defaults(func=cmd_list)

    cmd = sub.add_parser("stats", help="queues, workers, throughput and success rate",
                         description="Queue lengths per priority, the workers (and their "
                         "machines) and what each is doing, tasks completed and failed in the last "
                         "hour and day (and per machine), mean and 95th-percentile processing "
                         "time, pages per minute of processing and the success rate (last day).")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.set_defaults(func=cmd_stats)

    cmd = sub.add_parser("health", help="exit 0 only when Redis, the watcher and a worker are alive",
                         description="For healthchecks: exit 0 when Redis answers, the ingest "
                         "daemon's heartbeat is fresh and at least one worker is alive; else 1.")
    cmd.add_argument("--only", choices=PARTS, help="check this part only")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.set_defaults(func=cmd_health)

    cmd = sub.add_parser("retry", help="put failed files back through the pipeline",
                         description="Move a failed file from outbox/failed back into the "
                         "pipeline as a new task: the one of TASK_ID, or with --failed all of them. "
                         "--failed skips a file that would fail again as it is (password-protected, "
                         "damaged, not a document, a link or device) unless it was changed since.")
    which = cmd.add_mutually_exclusive_group(required=True)
    which.add_argument("task_id", nargs="?", help="the failed task to retry")
    which.add_argument("--failed", action="store_true", help="retry every file in outbox/failed")
    cmd.add_argument("--json", action="store_true", help="print the new task ids as JSON")
    cmd.set_defaults(func=cmd_retry)

    cmd = sub.add_parser("api", help="serve the HTTP API for the DocVault backend",
                         description="Serve the HTTP API (docs/api.md). Without an API key "
                         "(api.key / API_KEY) it listens on loopback only.")
    cmd.add_argument("--host", help="address to listen on (default: api.host)")
    cmd.add_argument("--port", type=int, help="port (default: api.port)")
    cmd.set_defaults(func=cmd_api)

    cmd = sub.add_parser("dashboard", help="run rq-dashboard (default http://127.0.0.1:9181)",
                         description="Serve rq-dashboard for this appliance's queues. Listens on "
                         "dashboard.host (127.0.0.1) only; another address needs "
                         "dashboard.username and dashboard.password.")
    cmd.add_argument("--host", help="address to listen on (default: dashboard.host)")
    cmd.add_argument("--port", type=int, help="port (default: dashboard.port)")
    cmd.set_defaults(func=cmd_dashboard)
    return parser


def connect(config: Config) -> Redis:
    return Redis.from_url(config.redis.effective_url, socket_connect_timeout=5, health_check_interval=30)


def cmd_watch(args: argparse.Namespace, config: Config) -> int:
    from ingest import faults
    from ingest.watcher import Watcher

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Watcher(config, connect(config), fault=faults.armed_point(os.environ)).run(stop)
    log.info("watcher stopped")
    return 0


def cmd_worker(args: argparse.Namespace, config: Config) -> int:
    from pipeline import worker

    # One single-threaded tesseract per core: without this, two tesseracts on two cores
    # fight over threads and run three times slower.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if config.source is not None:  # the job loads the config again: the same file
        os.environ["DOCVAULT_CONFIG"] = str(config.source.resolve())
    worker.run(config, connect(config), burst=args.burst)
    return 0


def cmd_notifier(args: argparse.Namespace, config: Config) -> int:
    from pipeline import worker

    if config.source is not None:  # the job loads the config again: the same file
        os.environ["DOCVAULT_CONFIG"] = str(config.source.resolve())
    worker.run_notifier(connect(config), burst=args.burst)
    return 0


def cmd_process(args: argparse.Namespace, config: Config) -> int:
    from pipeline.process import describe
    from pipeline.progress import Progress
    from pipeline.read import read_document

    path: Path = args.file
    if not path.is_file():
        print(f"docvault: {path} is not a file", file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="docvault-") as tmp:
        progress = Progress(None, None, "-", path.name, config.results)
        doc = read_document(path, Path(tmp), config.pipeline, progress)
    record = {"source": {"name": path.name}, **describe(doc, config, progress, folder=None)}
    print(json.dumps(record, ensure_ascii=False, indent=2))
    return 0


def cmd_status(args: argparse.Namespace, config: Config) -> int:
    conn = connect(config)
    if args.batch:
        record, what = status.get_batch(conn, args.batch), f"batch {args.batch}"
    elif args.task_id:
        record, what = status.get_status(conn, args.task_id), f"task {args.task_id}"
    else:
        print("docvault: give a TASK_ID, or --batch ID", file=sys.stderr)
        return 2
    if record is None:
        print(f"docvault: no {what} (unknown, or its record expired)", file=sys.stderr)
        return 1
    following = args.follow and isinstance(record, status.TaskStatus)
    if following:
        record = _follow(conn, record, show=not args.json)
    if args.json:
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
    elif isinstance(record, status.BatchTotals):
        states = ", ".join(f"{state} {count}" for state, count in sorted(record.states.items()))
        print(f"batch {record.batch_id}  {record.name}  ({record.priority})\n{record.total} file(s): {states}")
    elif not following:
        name = record.fields.get("name", "")
        print(f"{record.task_id}  {name}\n{record.state.value}  {_progress(record)}  {record.message}")
    if following:
        return 0 if record.state is TaskState.COMPLETED else 1
    return 0


def _follow(conn: Redis, record: status.TaskStatus, show: bool) -> status.TaskStatus:
    """Redraw a progress bar each second until the task is COMPLETED or FAILED."""
    if show:
        print(f"{record.task_id}  {record.fields.get('name', '')}")
    while True:
        if show:
            bar = "#" * (record.progress // 4)
            print(f"\r[{bar:<25}] {record.progress:3d} %  {record.state.value:<10} {record.message[:60]:<60}",
                  end="", flush=True)
        if record.state.is_final:
            if show:
                print()
            return record
        time.sleep(FOLLOW_SECONDS)
        latest = status.get_status(conn, record.task_id)
        if latest is None:  # expired: a WAITING file taken away, or a record past its TTL
            if show:
                print(f"\ndocvault: the record of task {record.task_id} is gone (its file left the inbox "
                      "before it was complete, or the record expired)", file=sys.stderr)
            return record
        record = latest


def cmd_result(args: argparse.Namespace, config: Config) -> int:
    conn = connect(config)
    record = status.get_status(conn, args.task_id)
    if record is not None and record.state is TaskState.FAILED:
        error = outbox.relative_outputs(record.outputs, config.paths.outbox).get("error")
        print(f"docvault: task {args.task_id} ({record.fields.get('name', '')}) failed: {record.message}"
              + (f"\nthe error file is {error} in the outbox ({config.paths.outbox})" if error else ""),
              file=sys.stderr)
        return 1
    if record is not None and not record.state.is_final:
        print(f"docvault: task {args.task_id} is not finished: {record.state.value}, {_progress(record)}, "
              f"{record.message}", file=sys.stderr)
        return 1
    result = status.get_result(conn, args.task_id)
    if result is None:
        print(f"docvault: no result for {args.task_id} (unknown, or expired after results.ttl_hours; "
              "the JSON sidecar in the outbox stays)", file=sys.stderr)
        return 1
    outputs = outbox.relative_outputs(result.get("outputs") or {}, config.paths.outbox)
    print(json.dumps({**result, "outputs": outputs}, ensure_ascii=False, indent=2))
    return 0


def _progress(record: status.TaskStatus) -> str:
    """Progress in words: a percentage while it runs; a failed task is not "100 %"."""
    if record.state is TaskState.COMPLETED:
        return "100 %"
    return "-" if record.state.is_final else f"{record.progress} %"


def cmd_list(args: argparse.Namespace, config: Config) -> int:
    state = TaskState(args.status) if args.status else None
    records = status.list_tasks(connect(config), state, args.batch)
    if args.json:
        print(json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2))
        return 0
    row = "{:<24}  {:<10}  {:>8}  {:<8}  {:<16}  {}"
    print(row.format("TASK", "STATE", "PROGRESS", "PRIORITY", "RECEIVED (UTC)", "NAME"))
    for r in records:
        received = r.fields.get("created_at", "")[:16].replace("T", " ")
        print(row.format(r.task_id, r.state.value, _progress(r), r.fields.get("priority", ""), received,
                         r.fields.get("name", "")))
    if not records:
        print("(no tasks)")
    return 0


def cmd_stats(args: argparse.Namespace, config: Config) -> int:
    from docvault import stats

    figures = stats.collect(connect(config))
    if args.json:
        print(json.dumps(figures.to_dict(), indent=2))
        return 0

    def num(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{value:g}{unit}"

    queued = ", ".join(f"{name} {n}" for name, n in figures.queued.items())
    scheduled = sum(figures.scheduled.values())
    print(f"queued:        {queued}  ({scheduled} waiting to retry)")
    print(f"workers:       {len([w for w in figures.workers if w.alive])} alive")
    for w in figures.workers:
        doing = f"on task {w.task_id}" if w.task_id else w.state
        print(f"  {w.name} on {w.host}: {doing}{'' if w.alive else ' (silent: dead?)'}")
    print(f"last hour:     {figures.last_hour.completed} completed, {figures.last_hour.failed} failed")
    print(f"last day:      {figures.last_day.completed} completed, {figures.last_day.failed} failed")
    for host, counts in figures.by_host.items():
        print(f"  read on {host}: {counts.completed} completed, {counts.failed} failed")
    print(f"time per task: mean {num(figures.mean_seconds, ' s')}, 95% under {num(figures.p95_seconds, ' s')}")
    print(f"pages/minute:  {num(figures.pages_per_minute)} (per worker, while working)")
    rate = None if figures.success_rate is None else round(figures.success_rate * 100, 1)
    print(f"success rate:  {num(rate, ' %')}")
    return 0


def cmd_health(args: argparse.Namespace, config: Config) -> int:
    from docvault import health

    conn = Redis.from_url(config.redis.effective_url, socket_connect_timeout=3, socket_timeout=3)
    parts = health.check(conn, args.only)
    if args.json:
        print(json.dumps({part: {"ok": ok, "detail": why} for part, (ok, why) in parts.items()}, indent=2))
    else:
        for part, (ok, why) in parts.items():
            print(f"{part:<8} {'ok' if ok else 'FAIL':<5} {why}")
    return 0 if all(ok for ok, _ in parts.values()) else 1


def cmd_retry(args: argparse.Namespace, config: Config) -> int:
    from ingest import retry

    failed_dir = config.paths.failed
    if args.failed:
        found = retry.failed_sidecars(failed_dir)
    else:
        sidecar = retry.find_sidecar(failed_dir, args.task_id)
        if sidecar is None:
            print(f"docvault: no failed task {args.task_id} in {failed_dir}", file=sys.stderr)
            return 1
        found = [sidecar]
    conn = connect(config)
    retried, skipped = {}, 0
    for sidecar in found:
        try:
            error = sidecars.read_error(sidecar)
            if args.failed and retry.fails_unchanged(error, sidecar):
                skipped += 1
                print(f"docvault: {sidecar.name}: skipped, it would fail again unchanged: {error.message} "
                      f"(after changing nothing, `docvault retry {error.task_id}` tries anyway)",
                      file=sys.stderr)
                continue
            task = retry.retry_failed(conn, config, sidecar, error)
        except (DocVaultError, OSError) as exc:  # a refused link or device, a file gone
            print(f"docvault: {sidecar.name}: not retried: {getattr(exc, 'message', exc)}", file=sys.stderr)
            continue
        retried[task.id] = task.name
    if args.json:
        print(json.dumps([{"task_id": i, "name": n} for i, n in retried.items()], ensure_ascii=False))
    else:
        for task_id, name in retried.items():
            print(f"{task_id}  {name}")
        print(f"{len(retried)} file(s) queued again" + (f", {skipped} skipped" if skipped else ""))
    return 0


def cmd_dashboard(args: argparse.Namespace, config: Config) -> int:
    from docvault.web import dashboard

    host = args.host or config.dashboard.host
    port = args.port or config.dashboard.port
    log.info("dashboard on http://%s:%d/", host, port)
    dashboard.serve(config, host, port)
    return 0


def cmd_api(args: argparse.Namespace, config: Config) -> int:
    from docvault.web import api

    api.serve(config, connect(config), args.host or config.api.host, args.port or config.api.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
