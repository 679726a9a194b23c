"""`make bench`: measurements on this machine, not tests. Each part prints its figures;
docs/performance.md keeps the last ones measured."""
