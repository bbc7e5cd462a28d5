"""The curated datasets' --curation_config arguments are accepted by the Glue scripts' own parser, and
each dataset's curated and quarantine prefixes are distinct (the jobs overwrite their own prefix only)."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from modules.analytics.curated_datasets import DATASETS, CuratedDataset

GLUE_SCRIPTS = Path(__file__).resolve().parents[4] / "glue_scripts"


def _parser() -> ModuleType:
    # Glue imports the scripts as top-level modules; so does this test.
    if str(GLUE_SCRIPTS) not in sys.path:
        sys.path.insert(0, str(GLUE_SCRIPTS))
    spec = importlib.util.find_spec("curation_config")
    assert spec is not None and spec.origin == str(GLUE_SCRIPTS / "curation_config.py")
    return importlib.import_module("curation_config")


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_configuration_is_valid_for_the_glue_scripts(dataset: CuratedDataset) -> None:
    config = _parser().parse_curation_config(dataset.curation_config_json())
    assert tuple(config.columns) == tuple(dataset.columns)
    assert config.key_columns == dataset.key_columns


def test_an_invalid_configuration_is_refused_by_the_same_parser() -> None:
    broken = CuratedDataset(
        name="broken",
        source="rds",
        source_table="t",
        columns={"id": "bigint"},
        key_columns=("missing",),
        timestamp_column="id",
    )
    with pytest.raises(ValueError, match="key_columns"):
        _parser().parse_curation_config(broken.curation_config_json())


def test_prefixes_never_overlap() -> None:
    prefixes = [p for d in DATASETS for p in (d.curated_prefix, d.quarantine_prefix)]
    assert not [a for a in prefixes for b in prefixes if a != b and a.startswith(b)]
