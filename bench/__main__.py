"""`python -m bench`: every benchmark there is, one after another.

The ingest and metadata benchmarks are written by others; until they exist, this says so
instead of failing.
"""

from __future__ import annotations

import importlib
import sys


def main() -> int:
    for name in ("pipeline_bench", "appliance_bench", "ingest_bench", "metadata_bench"):
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise  # the benchmark exists but something it imports is missing
            print(f"\n== bench.{name}: not built yet")
            continue
        print(f"\n== bench.{name}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
