"""The benchmark runs and reports what it says; no assertion on the timings themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from attention_book import MultiHeadAttention, bench


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


def test_causal_rows_are_marked_and_timed_against_causal_sdpa() -> None:
    rows = bench.run_benchmark([64], repeats=1, heads=2, head_dim=8, causal=True, methods=["fused", "sdpa"])
    assert [(r["method"], r["causal"], r["benchmark"]) for r in rows] == [
        ("fused", True, "attention"),
        ("sdpa", True, "attention"),
    ]
    assert "causal" in bench.format_table(rows)


def test_gqa_and_decode_benchmarks() -> None:
    gqa = bench.run_gqa_benchmark([32], repeats=1, heads=4, kv_heads=2, head_dim=8)
    assert [r["method"] for r in gqa] == list(bench.GQA_METHODS)
    assert all(r["benchmark"] == "gqa" and r["ratio"] > 0 for r in gqa)
    decode = bench.run_decode_benchmark([16, 64], repeats=1, tokens=2, d_model=32, heads=4, kv_heads=2)
    assert [(r["n"], r["method"]) for r in decode] == [(n, m) for n in (16, 64) for m in bench.DECODE_METHODS]
    assert all(r["time_s"] > 0 and r["ratio"] > 0 for r in decode)
    assert "decode" in bench.format_table(decode)


def test_decode_reference_step_equals_ours() -> None:
    """The plain-PyTorch decoding step that the benchmark times ours against computes the same thing."""
    torch.manual_seed(0)
    attn = MultiHeadAttention(32, 4, num_kv_heads=2).eval()
    keys, values = torch.randn(1, 2, 5, 8), torch.randn(1, 2, 5, 8)
    x = torch.randn(1, 3, 32)
    steps = {name: make() for name, make in bench._decoders(attn, keys, values, room=3).items()}
    with torch.no_grad():
        for t in range(3):
            explicit, fused, reference = (steps[name](x[:, t : t + 1]) for name in bench.DECODE_METHODS)
            torch.testing.assert_close(explicit[0], reference, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(fused[0], reference, atol=1e-5, rtol=1e-5)


def test_cli_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    bench.main(
        ["--sizes", "32", "--decode-lengths", "16", "--tokens", "2", "--repeats", "1", "--block-size", "8"]
        + ["--heads", "2", "--kv-heads", "1", "--head-dim", "8", "--json", str(path)]
    )
    assert "sdpa" in capsys.readouterr().out
    rows = json.loads(path.read_text())
    assert {row["method"] for row in rows} == set(bench.METHODS) | set(bench.DECODE_METHODS)
    assert {row["benchmark"] for row in rows} == {"attention", "gqa", "decode"}


def test_cli_runs_only_what_is_asked(capsys: pytest.CaptureFixture[str]) -> None:
    bench.main(
        ["--only", "decode", "--decode-lengths", "8", "--tokens", "1", "--repeats", "1", "--heads", "2"]
    )
    rows = capsys.readouterr().out.splitlines()[2:]  # after the settings and the header
    assert rows and all(row.startswith("decode") for row in rows)
