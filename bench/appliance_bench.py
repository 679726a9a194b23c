"""Drop to sidecar, as a user sees it (issue 13): the appliance against raw tesseract and
OCRmyPDF on the same scans, in one run.

For each scan encoding a scanner writes (JPEG, Flate gray as img2pdf writes a PNG scan,
CCITT G4 1-bit), made here from pages of known text at 300 dpi:

- raw: `tesseract IMAGE out --dpi 300 -l eng txt` on the scanner's own page images
  (JPEG, PNG, G4 TIFF), one process per core, OMP_THREAD_LIMIT=1, before and after each
  round of the others (the mean counts);
- the appliance: a real `docvault up` (watcher and one worker per core, on a throwaway
  redis-server and temporary folders), from the first file dropped into inbox/normal to
  the last JSON sidecar in the outbox: one N-page PDF, then N one-page PDFs;
- OCRmyPDF: `ocrmypdf -O0 -j CORES --sidecar` on the N-page PDF (its default output
  type), when installed (`sh docker/install-system-packages.sh --bench`); the bench says
  so loudly when it is not.

The three take turns, DOCVAULT_BENCH_ROUNDS times (default 3), and the ratios are taken
per round and summed up as their median and range: the same tesseract run on the same
page costs 10 % more or less CPU from one minute to the next on a shared virtual
machine, more than the differences measured.

Each raw tesseract, each of the appliance's workers and OCRmyPDF run in a session of
their own: where Linux groups CPU time by session (autogroup), that gives each of them
the same share of a machine that others load too. OCRmyPDF's -j processes share its one
session, and so do a document's pages read on two cores by one worker: under load they
get less than two shares, so on a loaded machine compare the CPU seconds, not the clock.

CPU seconds per page are counted for every process that took part (for the appliance:
the watcher, the workers, their work horses and every tesseract and poppler run, from
/proc), beside the wall clock. The appliance's worker-side Python memory is sampled
throughout. Pages: DOCVAULT_BENCH_PAGES (default 10). Linux only (/proc).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from bench.handmade import image_pdf
from bench.pipeline_bench import CORES, DPI, page_text, scanned_pages
from bench.running import running

PAGES = int(os.environ.get("DOCVAULT_BENCH_PAGES", "10"))
ROUNDS = int(os.environ.get("DOCVAULT_BENCH_ROUNDS", "3"))
ENCODINGS = {"jpeg": ".jpg", "flate": ".png", "g4": ".tif"}  # -> the scanner's page image
RAW_GOAL, OCRMYPDF_GOAL = 0.95, 1.35
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
INSTALL_HINT = "sh docker/install-system-packages.sh --bench (as root)"


def main() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    ocrmypdf = shutil.which("ocrmypdf")
    print(f"machine: {CORES} core(s), load average {os.getloadavg()[0]:.1f} before; {PAGES} pages "
          f"per scan at {DPI} dpi; {ROUNDS} rounds; pages/min (CPU s a page)")
    if ocrmypdf is None:
        print(f"   !! OCRmyPDF is MISSING: its column is empty. Install it with {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="docvault-bench-") as tmp, appliance(Path(tmp) / "app") as app:
        rows = []
        for encoding, suffix in ENCODINGS.items():
            scans = _scans(Path(tmp) / encoding, encoding, suffix)
            if not rows:  # an appliance runs for months: its workers' first jobs are not the measure
                app.drop(scans.singles[:CORES])
            rounds = _rounds(app, scans, ocrmypdf)
            for number, (raw, whole, singles, mypdf) in enumerate(rounds, 1):
                _print_row(f"{encoding} {number}", raw, whole, singles, mypdf)
            rows.append((encoding, rounds))
        print(f"   appliance worker-side Python, peak RSS of one process: {app.peak_python_mb():.0f} MB "
              "(goal <= 128 MB; the 50-page figure is in bench.pipeline_bench part 3)")
    _print_summary(rows)


Run = tuple[float, float, int]  # wall seconds, CPU seconds, pages


def _rounds(app: Appliance, scans: Scans, ocrmypdf: str | None) -> list[tuple[Run, Run, Run, Run | None]]:
    """ROUNDS times: raw tesseract, the appliance on the N-page PDF and on the N one-page
    PDFs, OCRmyPDF; each round's raw figure is the mean of the raw runs before and after
    it (a shared machine's speed drifts by 10 % within minutes: the ratios are per round)."""
    raws = [_measured(lambda: _raw_tesseract(scans.images))]
    rounds = []
    for _ in range(ROUNDS):
        whole = app.drop([scans.pdf])
        singles = app.drop(scans.singles)
        mypdf = _measured(lambda: _ocrmypdf(ocrmypdf, scans.pdf)) if ocrmypdf else None
        raws.append(_measured(lambda: _raw_tesseract(scans.images)))
        before, after = raws[-2:]
        raw = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2, PAGES)
        rounds.append((raw, whole, singles, mypdf))
    return rounds


# -- inputs ----------------------------------------------------------------------------

class Scans:
    def __init__(self, images: list[Path], singles: list[Path], pdf: Path) -> None:
        self.images, self.singles, self.pdf = images, singles, pdf


def _scans(folder: Path, encoding: str, suffix: str) -> Scans:
    """The scanner's page images, each as a one-page PDF in `encoding`, and all of them
    as one PDF (made a page at a time: memory stays small)."""
    folder.mkdir(parents=True)
    images, singles = [], []
    texts = [page_text(random.Random(n)) for n in range(PAGES)]
    for n, page in enumerate(scanned_pages(texts)):
        if encoding == "g4":
            page = page.point(lambda v: 255 if v > 128 else 0).convert("1")
        image = folder / f"page-{n:03d}{suffix}"
        _save_as_scanned(page, image, encoding)
        images.append(image)
        singles.append(image_pdf(folder / f"single-{n:03d}.pdf", page, encoding=encoding))
    pdf = folder / f"scan-{encoding}.pdf"
    subprocess.run(["pdfunite", *map(str, singles), str(pdf)], check=True)
    return Scans(images, singles, pdf)


def _save_as_scanned(page: Image.Image, target: Path, encoding: str) -> None:
    if encoding == "jpeg":
        page.save(target, quality=85, dpi=(DPI, DPI))
    elif encoding == "flate":
        page.save(target, dpi=(DPI, DPI))
    else:
        page.save(target, compression="group4", dpi=(DPI, DPI))


# -- the three ways ----------------------------------------------------------------------

def _raw_tesseract(images: list[Path]) -> None:
    def one(image: Path) -> None:
        subprocess.run(["tesseract", str(image), str(image.with_suffix("")), "--dpi", str(DPI), "-l", "eng",
                        "txt"], check=True, capture_output=True, start_new_session=True)

    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(one, images))


def _ocrmypdf(binary: str, pdf: Path) -> None:
    out = pdf.with_name(f"{pdf.stem}.ocrmypdf.pdf")
    subprocess.run([binary, "-O0", "-j", str(CORES), "--sidecar", str(out.with_suffix(".txt")), str(pdf),
                    str(out)], check=True, capture_output=True, start_new_session=True)


class Appliance:
    """`docvault up` on its own folders and Redis; drop() times files to their sidecars."""

    def __init__(self, root: Path, proc: subprocess.Popen, redis_proc: subprocess.Popen) -> None:
        self.root, self.proc, self.redis_proc = root, proc, redis_proc
        self.inbox, self.outbox = root / "inbox" / "normal", root / "outbox"
        self.python_peak_kb = 0
        self.sampling = threading.Event()

    def drop(self, files: list[Path]) -> tuple[float, float, int]:
        """(wall seconds, CPU seconds, pages) from the first file dropped to the last JSON."""
        before = self.outbox_jsons()
        cpu_before = _tree_cpu([self.proc.pid, self.redis_proc.pid])
        started = time.perf_counter()
        for path in files:  # written and closed, as a scanner or a copy over the network does
            shutil.copyfile(path, self.inbox / path.name)
        wanted = before + len(files)
        deadline = time.monotonic() + 900
        while self.outbox_jsons() < wanted:
            failed = list((self.outbox / "failed").glob("*.error.json"))
            if failed or time.monotonic() > deadline or self.proc.poll() is not None:
                detail = failed[0].read_text() if failed else (self.root / "up.log").read_text()[-3000:]
                raise RuntimeError(f"the appliance did not finish the drop:\n{detail}")
            time.sleep(0.05)
        wall = time.perf_counter() - started
        pages = len(files) if len(files) > 1 else PAGES
        return wall, _tree_cpu([self.proc.pid, self.redis_proc.pid]) - cpu_before, pages

    def outbox_jsons(self) -> int:
        return sum(1 for p in self.outbox.glob("*.json")) if self.outbox.exists() else 0

    def sample_memory(self) -> None:
        """The largest RSS of one worker-side Python process (a worker or its work horse)."""
        while not self.sampling.wait(0.1):
            for pid in _tree([self.proc.pid]):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                if b"docvault.cli\0worker" in cmdline:
                    rss = next((int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0)
                    self.python_peak_kb = max(self.python_peak_kb, rss)

    def peak_python_mb(self) -> float:
        return self.python_peak_kb / 1024


@contextmanager
def appliance(root: Path) -> Iterator[Appliance]:
    with running(root, "up", {"worker": {"count": CORES}}) as up:
        app = Appliance(root, up.proc, up.redis_proc)
        sampler = threading.Thread(target=app.sample_memory, daemon=True)
        try:
            _wait_ready(up.log, up.proc)
            sampler.start()
            yield app
        finally:
            app.sampling.set()


def _wait_ready(log: Path, proc: subprocess.Popen) -> None:
    """The watcher watches and every worker listens on the queues."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        text = log.read_text()
        if "watching" in text and text.count("Listening on") >= CORES:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the appliance did not start:\n{log.read_text()[-3000:]}")


# -- measuring ---------------------------------------------------------------------------

def _measured(action: Callable[[], object]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the children it ran, pages) of `action`."""
    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return children.ru_utime + children.ru_stime

    started, started_cpu = time.perf_counter(), cpu()
    action()
    return time.perf_counter() - started, cpu() - started_cpu, PAGES


def _tree(roots: list[int]) -> list[int]:
    """`roots` and all their descendants alive now, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _tree_cpu(roots: list[int]) -> float:
    """CPU seconds of the processes alive under `roots`, with their waited-for children
    (a finished work horse or tesseract is in its parent's cutime)."""
    total = 0
    for pid in _tree(roots):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / CLOCK_TICKS


# -- report ------------------------------------------------------------------------------

def _rate(run: tuple[float, float, int] | None) -> str:
    if run is None:
        return "   MISSING   "
    wall, cpu, pages = run
    return f"{pages / wall * 60:5.1f} ({cpu / pages:.2f})"


def _print_row(label: str, raw: Run, whole: Run, singles: Run, mypdf: Run | None) -> None:
    print(f"   {label:7}  raw {_rate(raw)}  appliance 1x{PAGES}: {_rate(whole)}  "
          f"{PAGES}x1: {_rate(singles)}  OCRmyPDF {_rate(mypdf)}")


def _print_summary(rows: list) -> None:
    print(f"\n   ratios, median of {ROUNDS} rounds [lowest-highest], wall clock; CPU time: appliance / raw "
          f"tesseract txt (goal >= {RAW_GOAL}), appliance / OCRmyPDF (goal >= {OCRMYPDF_GOAL}), "
          f"{PAGES}x1 against 1x{PAGES} (goal >= 0.95)")
    for encoding, rounds in rows:
        def ratio(a: int, b: int) -> str:  # how much faster run a of each round is than run b
            if any(r[a] is None or r[b] is None for r in rounds):
                return "MISSING"
            parts = []
            for field in (0, 1):
                values = sorted(r[b][field] / r[a][field] for r in rounds)
                parts.append(f"{statistics.median(values):.2f} [{values[0]:.2f}-{values[-1]:.2f}]")
            return f"{parts[0]}; CPU {parts[1]}"

        print(f"   {encoding:5}  vs raw:       1x{PAGES} {ratio(1, 0)},  {PAGES}x1 {ratio(2, 0)}\n"
              f"          vs OCRmyPDF:  1x{PAGES} {ratio(1, 3)},  {PAGES}x1 {ratio(2, 3)}\n"
              f"          {PAGES}x1 vs 1x{PAGES}: {ratio(2, 1)}")


if __name__ == "__main__":
    main()
