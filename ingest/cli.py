"""`docvault`: run the appliance or its parts, and look at tasks.

Each command loads the config once, builds one Redis connection, and passes both down.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from redis import Redis

from ingest import redis_server, status
from ingest.config import Config, load_config
from ingest.errors import DocVaultError

log = logging.getLogger("docvault")

DESCRIPTION = """\
DocVault Ingest: drop scans into inbox/high, inbox/normal or inbox/low; the text,
a JSON sidecar and a searchable PDF appear in the outbox. Failures go to outbox/failed
with an .error.json that says why.
"""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
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
                         "127.0.0.1:6379. Ctrl-C lets each worker finish its page and stops.")
    cmd.set_defaults(func=cmd_up)

    cmd = sub.add_parser("watch", help="run only the ingest daemon (watches the inboxes)")
    cmd.set_defaults(func=cmd_watch)

    cmd = sub.add_parser("worker", help="run one OCR worker (queues high, normal, low in that order)")
    cmd.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    cmd.set_defaults(func=cmd_worker)

    cmd = sub.add_parser("process", help="OCR one file now, without Redis, and print its JSON",
                         description="Run the pipeline on FILE and print the result JSON. The "
                         "file is only read: nothing is moved or written to the outbox.")
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(func=cmd_process)

    cmd = sub.add_parser("status", help="show a task's status and progress, or a batch's totals")
    cmd.add_argument("task_id", nargs="?")
    cmd.add_argument("--batch", metavar="ID", help="totals of a dropped folder (its id is in each JSON)")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    cmd.set_defaults(func=cmd_status)

    cmd = sub.add_parser("result", help="print a finished task's result JSON (kept for results.ttl_hours)")
    cmd.add_argument("task_id")
    cmd.set_defaults(func=cmd_result)
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
    from rq import Worker
    from rq.serializers import JSONSerializer

    from ingest.queue import all_queues

    # One single-threaded tesseract per core: without this, two tesseracts on two cores
    # fight over threads and run three times slower.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if config.source is not None:  # the job loads the config again: the same file
        os.environ["DOCVAULT_CONFIG"] = str(config.source.resolve())
    conn = connect(config)
    worker = Worker(all_queues(conn), connection=conn, serializer=JSONSerializer)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")
    return 0


def cmd_up(args: argparse.Namespace, config: Config) -> int:
    url = config.redis.effective_url
    env = dict(os.environ, OMP_THREAD_LIMIT=os.environ.get("OMP_THREAD_LIMIT", "1"))
    if config.source is not None:
        env["DOCVAULT_CONFIG"] = str(config.source.resolve())
    redis_proc = None
    if not redis_server.answers(url):
        if config.redis.url or not config.redis.start_local:
            log.warning("Redis at %s does not answer yet; the parts will wait for it", url)
        else:
            redis_proc = redis_server.start_local(url, config.paths.work / "redis")
    env["REDIS_URL"] = url
    count = config.worker.count or os.cpu_count() or 1
    me = [sys.executable, "-m", "ingest.cli"]
    # Own sessions: Ctrl-C reaches only us, and we pass one SIGTERM on, which lets each
    # worker finish its current task (a second signal would make RQ abandon it).
    children = [subprocess.Popen([*me, "watch"], env=env, start_new_session=True)]
    children += [subprocess.Popen([*me, "worker"], env=env, start_new_session=True) for _ in range(count)]
    log.info("DocVault is running: drop files into %s/{high,normal,low}; results appear in %s "
             "(%d worker(s)). Ctrl-C stops.", config.paths.inbox, config.paths.outbox, count)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(1):
        if any(child.poll() is not None for child in children):
            log.error("a part of DocVault exited unexpectedly; stopping the rest")
            break
    log.info("stopping: workers finish their current task first")
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        child.wait()
    if redis_proc is not None:
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed and not stopping.is_set() else 0


def cmd_process(args: argparse.Namespace, config: Config) -> int:
    # The one place `ingest` reaches into `pipeline`: a direct run, with no queue between.
    from pipeline.job import Progress, describe, read_document

    path: Path = args.file
    if not path.is_file():
        print(f"docvault: {path} is not a file", file=sys.stderr)
        return 2
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="docvault-") as tmp:
        progress = Progress(None, None, "-", path.name, 0)
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
    if args.json:
        print(json.dumps(record.to_dict(), ensure_ascii=False, indent=2))
    elif isinstance(record, status.BatchTotals):
        states = ", ".join(f"{state} {count}" for state, count in sorted(record.states.items()))
        print(f"batch {record.batch_id}  {record.name}  ({record.priority})\n{record.total} file(s): {states}")
    else:
        name = record.fields.get("name", "")
        print(f"{record.task_id}  {name}\n{record.state.value}  {record.progress:3d} %  {record.message}")
    return 0


def cmd_result(args: argparse.Namespace, config: Config) -> int:
    result = status.get_result(connect(config), args.task_id)
    if result is None:
        print(f"docvault: no result for {args.task_id} (not finished, unknown, or expired "
              "after results.ttl_hours; the JSON sidecar in the outbox stays)", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
