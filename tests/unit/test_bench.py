"""The benchmark's reproduction table: values glued by the chapters, set beside the papers'."""

import re

import nbformat
import pytest

from aelib import bench

from paths import ROOT


def test_every_published_row_names_a_value_a_chapter_glues():
    sources = "\n".join(
        cell.source
        for p in (ROOT / "chapters").glob("*.ipynb")
        for cell in nbformat.read(p, as_version=4).cells
    )
    for spec in bench.PUBLISHED:
        # The formatter may put the name on the line after the parenthesis.
        call = re.compile(r'glue\(\s*"' + re.escape(spec["glue"]) + '"')
        assert call.search(sources), f"no chapter glues {spec['glue']!r}"


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.815", 0.815),
        ("np.float64(0.815)", 0.815),
        ("np.float32(2.5e-3)", 2.5e-3),
        ("13", 13.0),
    ],
)
def test_glued_numbers_are_read_back(text, value):
    assert bench._number(text) == pytest.approx(value)


def test_reproduction_rows():
    glued = {
        spec["glue"]: {
            "value": 1.5,
            "notebook": "chapters/11_deep_autoencoders.ipynb",
        }
        for spec in bench.PUBLISHED
    }
    glued["mnist_deep_error"]["value"], glued["mnist_pca30_error"]["value"] = (
        4.4,
        13.87,
    )
    glued["retrieval_ae_over_lsa"]["value"] = 0.8
    rows = {
        r["result"]: r for r in bench.reproduction(glued, psd={"speedup": 48.0})
    }
    deep = next(
        r for k, r in rows.items() if k.startswith("deep autoencoder 784")
    )
    assert deep["ratio"] == pytest.approx(4.4 / 3.00)
    ratio = next(
        r for k, r in rows.items() if k.startswith("deep autoencoder / PCA")
    )
    assert ratio["book"] == pytest.approx(4.4 / 13.87)
    assert (
        next(r for k, r in rows.items() if k.startswith("document retrieval"))[
            "holds"
        ]
        is False
    )
    assert (
        next(r for k, r in rows.items() if k.startswith("semantic hashing"))[
            "holds"
        ]
        is True
    )
    assert (
        next(r for k, r in rows.items() if k.startswith("PSD"))["holds"]
        is False
    )
    table = bench._reproduction_table(list(rows.values()))
    assert (
        "**does not hold**" in table
        and "{doc}`../11_deep_autoencoders`" in table
    )


def test_missing_values_say_how_to_get_them():
    rows = bench.reproduction({}, psd=None)
    assert len(rows) == len(bench.PUBLISHED)
    assert all(r["book"] is None and "make book" in r["missing"] for r in rows)


def test_precision_speed_reports_each_run_against_its_own_yardstick():
    r = bench.precision_speed(
        n_samples=1024, rounds=1, batches=(512,), matmul_n=256
    )
    fp32, bf16 = r["rows"]
    assert (fp32["precision"], fp32["batch_size"]) == ("fp32", 256)
    assert (bf16["precision"], bf16["batch_size"]) == ("bf16", 512)
    assert fp32["over_fp32"] == 1.0 and bf16["over_fp32"] > 0
    for row in r["rows"]:
        assert row["train_over_matmul"] == pytest.approx(
            row["samples_per_s"]
            * bench.DEEP_FLOPS_PER_SAMPLE
            / (row["matmul_gflops"] * 1e9)
        )
    assert r["bf16_matmul_over_fp32"] > 0
    text = bench.to_markdown(
        {
            "date": "d",
            "machine": "m",
            "bench_seconds": 1.0,
            "fit": {
                "fit_over_plain": 1.0,
                "fit_samples_per_s": 1.0,
                "plain_samples_per_s": 1.0,
                "train_over_matmul": 0.4,
                "train_gflops": 1.0,
                "matmul_gflops": 2.0,
            },
            "precision": r,
            "contractive": {
                "speedup": 2.0,
                "autograd_ms": 1.0,
                "closed_form_ms": 0.5,
                "max_abs_difference": 0.0,
            },
            "psd": {
                "setting": "12x12 patches",
                "speedup": 20.0,
                "batch_speedup": 20.0,
                "per_patch_speedup": 25.0,
                "fista_iterations_to_optimum": 3,
                "optimal_objective": 1.0,
                "rows": [
                    {
                        "solver": "FISTA",
                        "objective": 1.0,
                        "batch_ms": 2.0,
                        "batch_over_predictor": 20.0,
                        "per_patch_us": 50.0,
                        "per_patch_over_predictor": 25.0,
                    }
                ],
            },
            "hashing": [],
            "speedups": [
                {
                    "change": "one sort",
                    "where": "12",
                    "before_ms": 3.0,
                    "after_ms": 1.0,
                    "ratio": 3.0,
                }
            ],
            "yardstick": 3350.0,
            "chapters": [],
            "chapters_yardstick": {},
            "budget": bench.chapter_budget([], 3350.0),
            "reproduction": [],
        }
    )
    assert "step / matmul" in text and "bfloat16" in text
    assert "| one sort | 12 | 3.00 | 1.00 | 3.0 |" in text
    assert "3,350 samples/s, stands in" in text
    assert "20 times faster than the fastest solver" in text


def test_chapter_budget_scales_each_time_to_a_quiet_machine():
    quiet = bench.QUIET_PLAIN_SAMPLES_PER_S
    rows = [
        # measured on a machine at half speed: 60 s count as 30
        {
            "notebook": "chapters/03_a.ipynb",
            "seconds": 60.0,
            "plain_samples_per_s": quiet / 2,
        },
        # no yardstick of its own: this run's stands in
        {
            "notebook": "chapters/04_b.ipynb",
            "seconds": 40.0,
            "plain_samples_per_s": None,
        },
        {
            "notebook": "chapters/assignments/a1.ipynb",
            "seconds": 10.0,
            "plain_samples_per_s": quiet,
        },
    ]
    b = bench.chapter_budget(rows, quiet / 4)
    assert [r["normalised"] for r in b["rows"]] == pytest.approx(
        [30.0, 10.0, 10.0]
    )
    assert b["chapters_s"] == 100.0 and b["chapters_normalised"] == 40.0
    assert b["assignments_s"] == 10.0
    # the budget is on the raw seconds: a student's laptop is not normalised
    assert b["over_budget"] == ["chapters/03_a.ipynb"]


def test_the_speed_is_interpolated_to_the_middle_of_each_notebook():
    rows = [
        {
            "notebook": "a",
            "seconds": 10.0,
            "finished": 110.0,
            "plain_samples_per_s": 1.0,
        },
        {
            "notebook": "b",
            "seconds": 10.0,
            "finished": 120.0,
            "plain_samples_per_s": 1.0,
        },
        # run by the book build: no yardstick, left alone
        {
            "notebook": "c",
            "seconds": 5.0,
            "finished": 500.0,
            "plain_samples_per_s": None,
        },
    ]
    bench._interpolate_speed(rows, {"start": 6000.0, "end": 4000.0})
    # the run spans 100..120 s; the middles are at 105 and 115
    assert rows[0]["plain_samples_per_s"] == pytest.approx(5500.0)
    assert rows[1]["plain_samples_per_s"] == pytest.approx(4500.0)
    assert rows[2]["plain_samples_per_s"] is None
