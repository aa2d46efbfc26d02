"""The benchmark runs and reports what it says; no assertion on the timings themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attention_book import bench


def test_tiny_run_returns_rows_for_every_method() -> None:
    rows = bench.run_benchmark([64, 128], repeats=1, block_size=32, heads=2, head_dim=16)
    assert [(r["n"], r["method"]) for r in rows] == [(n, m) for n in (64, 128) for m in bench.METHODS]
    for row in rows:
        assert {"n", "method", "time_s", "ratio", "peak_bytes"} <= row.keys()
        assert row["time_s"] > 0 and row["ratio"] > 0
        # at least the float32 output of shape (B=1, H=2, n, D=16)
        assert row["peak_bytes"] >= 2 * row["n"] * 16 * 4
    explicit = next(r for r in rows if r["n"] == 128 and r["method"] == "explicit")
    assert explicit["peak_bytes"] >= 2 * 128 * 128 * 4  # the (H, n, n) weights were held
    assert "explicit" in bench.format_table(rows)


def test_explicit_path_is_skipped_above_explicit_max() -> None:
    rows = bench.run_benchmark(
        [64], repeats=1, heads=1, head_dim=8, explicit_max=32, methods=["explicit", "sdpa"]
    )
    assert [r["method"] for r in rows] == ["sdpa"]
    with pytest.raises(ValueError, match="methods"):
        bench.run_benchmark([64], methods=["nope"])


def test_cli_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    bench.main(["--sizes", "32", "--repeats", "1", "--block-size", "8", "--heads", "1", "--json", str(path)])
    assert "sdpa" in capsys.readouterr().out
    assert {row["method"] for row in json.loads(path.read_text())} == set(bench.METHODS)
