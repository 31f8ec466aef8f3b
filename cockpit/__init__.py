"""Customer Cockpit (外贸客户精细化管理看板): everything that is not a page or a query."""
import os
import sys

# Arrow's jemalloc pool, where the pyarrow wheel has one (Linux), unless the environment chose another. It must be
# chosen before pyarrow allocates anything, so it is set here, before any module of the package imports pyarrow
# (`python -m cockpit import`, the benchmark; in the app Streamlit has loaded pyarrow first and this changes nothing).
# In three pairs of 10 M-line imports against the default (mimalloc) it took 27.3 s on average against 28.8, ~1.5 s
# less kernel time (fewer fresh pages to zero: it reuses what it holds) and a ~60 MB lower peak. Choosing it later, in
# Python (pyarrow.set_memory_pool), was worse than either: Arrow's C++ code kept the first pool, and two allocators
# held memory side by side (peak +90 MB). A pyarrow built without jemalloc logs one line and keeps its default.
if sys.platform.startswith("linux"):
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
