"""The benchmark runs end to end at its smallest scale (a smoke test: timings are recorded, never asserted)."""
import json
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_smallest_scale(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--scale", "100k", "--repeat", "2", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(out.read_text())
    assert {r["page"] for r in rows} == {"overview", "regions", "complaints", "customers", "churn"}
    for r in rows:
        assert set(r) >= {"scale", "page", "import_lines_per_s", "cold_ms", "warm_p50_ms", "warm_p95_ms", "pandas_ms",
                          "ratio", "peak_rss_mb"}
    assert "lines/s" in proc.stdout
