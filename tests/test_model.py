"""The shipped model: trained from the shipped data, served exactly as scikit-learn predicts, safe to load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.engine.model import METADATA_FILE, VOCABULARY_FILE, WEIGHTS_FILE, LinearModel, ModelLoadError, load_model, save_model
from app.engine.tokenize import Tokenizer
from app.training.corpus import corpus_hash
from app.training.splits import Split
from app.training.train import Dataset, Reference, config_of, fit, load_dataset, served_proba
from tests.conftest import DATA_DIR, MODEL_DIR


@pytest.fixture(scope="session")
def dataset(tokenizer: Tokenizer, model: LinearModel) -> Dataset:
    return load_dataset(DATA_DIR, tokenizer, config_of(model))


@pytest.fixture(scope="session")
def retrained(dataset: Dataset, model: LinearModel) -> Reference:
    """The reference model refitted from the shipped data with the shipped model's config."""
    return fit(dataset, config_of(model))


@pytest.fixture(scope="session")
def exported(retrained: Reference, model: LinearModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("exported")
    word_terms, char_terms, arrays = retrained.export()
    save_model(directory, {k: v for k, v in model.metadata.items() if k != "format"}, word_terms, char_terms, arrays)
    return directory


def test_shipped_model_records_the_hash_of_the_shipped_data(model: LinearModel) -> None:
    assert model.metadata["training_data_sha256"] == corpus_hash(DATA_DIR), (
        "models/urikomi was not trained from training_data/: run `urikomi train`"
    )


def test_retraining_on_the_shipped_data_reproduces_the_shipped_model(model: LinearModel, exported: Path) -> None:
    again = load_model(exported)
    assert (exported / VOCABULARY_FILE).read_bytes() == (MODEL_DIR / VOCABULARY_FILE).read_bytes()
    np.testing.assert_allclose(again.table, model.table, atol=1e-6)
    np.testing.assert_allclose(again.calib_a, model.calib_a, atol=1e-6)


def test_served_probabilities_equal_scikit_learn_on_the_test_split(
    dataset: Dataset, retrained: Reference, exported: Path
) -> None:
    _, docs, _ = dataset.part(Split.TEST)
    served = served_proba(load_model(exported), docs)
    assert np.abs(served - retrained.predict_proba(docs)).max() < 1e-9


def test_saving_the_same_model_twice_gives_identical_bytes(retrained: Reference, tmp_path: Path) -> None:
    word_terms, char_terms, arrays = retrained.export()
    for name in ("a", "b"):
        save_model(tmp_path / name, {"version": "x"}, word_terms, char_terms, arrays)
    for file in (METADATA_FILE, WEIGHTS_FILE):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_thresholds_and_test_metrics_are_recorded(model: LinearModel) -> None:
    meta = model.metadata
    for label in ("discount_spam", "pushy_pitch", "story"):
        assert 0 < meta["caution_thresholds"][label] <= meta["thresholds"][label] < 1
    assert meta["test_metrics"]["n"] > 0


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(MODEL_DIR, target)
    return target


def test_missing_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="missing"):
        load_model(tmp_path / "nothing-here")


def test_corrupt_weights_are_a_clear_error(tmp_path: Path) -> None:
    directory = _copy_model(tmp_path)
    (directory / WEIGHTS_FILE).write_bytes(b"not a zip file")
    with pytest.raises(ModelLoadError, match="corrupt"):
        load_model(directory)


def test_pickled_arrays_are_refused(tmp_path: Path) -> None:
    directory = _copy_model(tmp_path)
    with np.load(MODEL_DIR / WEIGHTS_FILE) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["coef"] = np.array([object()], dtype=object)
    np.savez(directory / WEIGHTS_FILE, **arrays)
    with pytest.raises(ModelLoadError):
        load_model(directory)


def test_weights_that_do_not_match_the_vocabulary_are_refused(tmp_path: Path) -> None:
    directory = _copy_model(tmp_path)
    vocabulary = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
    vocabulary["word"] = vocabulary["word"][:-1]
    (directory / "vocabulary.json").write_text(json.dumps(vocabulary), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="do not match"):
        load_model(directory)
