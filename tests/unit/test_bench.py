"""The benchmark's reproduction table: values glued by the chapters, set beside the papers'."""
from pathlib import Path

import pytest

from aelib import bench

ROOT = Path(__file__).resolve().parents[2]


def test_every_published_row_names_a_value_a_chapter_glues():
    sources = "".join(p.read_text() for p in (ROOT / "chapters").glob("*.ipynb"))
    for spec in bench.PUBLISHED:
        assert f'glue(\\"{spec["glue"]}\\"' in sources, f"no chapter glues {spec['glue']!r}"


@pytest.mark.parametrize("text, value", [("0.815", 0.815), ("np.float64(0.815)", 0.815), ("np.float32(2.5e-3)", 2.5e-3),
                                         ("13", 13.0)])
def test_glued_numbers_are_read_back(text, value):
    assert bench._number(text) == pytest.approx(value)


def test_reproduction_rows():
    glued = {spec["glue"]: {"value": 1.5, "notebook": "chapters/11_deep_autoencoders.ipynb"} for spec in bench.PUBLISHED}
    glued["mnist_deep_error"]["value"], glued["mnist_pca30_error"]["value"] = 4.4, 13.87
    glued["retrieval_ae_over_lsa"]["value"] = 0.8
    rows = {r["result"]: r for r in bench.reproduction(glued, psd={"speedup": 48.0})}
    deep = next(r for k, r in rows.items() if k.startswith("deep autoencoder 784"))
    assert deep["ratio"] == pytest.approx(4.4 / 3.00)
    ratio = next(r for k, r in rows.items() if k.startswith("deep autoencoder / PCA"))
    assert ratio["book"] == pytest.approx(4.4 / 13.87)
    assert next(r for k, r in rows.items() if k.startswith("document retrieval"))["holds"] is False
    assert next(r for k, r in rows.items() if k.startswith("semantic hashing"))["holds"] is True
    assert next(r for k, r in rows.items() if k.startswith("PSD"))["holds"] is False
    table = bench._reproduction_table(list(rows.values()))
    assert "**does not hold**" in table and "{doc}`../11_deep_autoencoders`" in table


def test_missing_values_say_how_to_get_them():
    rows = bench.reproduction({}, psd=None)
    assert len(rows) == len(bench.PUBLISHED)
    assert all(r["book"] is None and "make book" in r["missing"] for r in rows)
