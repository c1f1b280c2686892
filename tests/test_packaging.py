"""What ships: the wheel carries its data files and works outside the source tree; the Dockerfile
is the image the README promises (no Docker engine runs here, so it is checked as text)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import MODEL_DIR, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("urikomi-*.whl"))


def test_wheel_carries_the_catalogue_and_the_web_form(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/suggestions/catalogue.yaml" in names
    assert {"app/web/static/index.html", "app/web/static/render.js", "app/web/static/app.js"} <= names
    assert not any(n.startswith(("tests/", "training_data/", "models/")) for n in names)
    assert any(re.fullmatch(r"app/engine/_kernel\..*\.so", n) for n in names), "the compiled scoring kernel is missing"


def test_installed_wheel_checks_a_draft_outside_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "URIKOMI_MODEL_PATH": str(MODEL_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import sys, app.cli; sys.exit(app.cli.main(['check', '--json', '-']))"],
        input="【本日限り】全品50%OFF!!今すぐご来店ください!",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert '"verdict":"hard_sell"' in result.stdout
    assert str(site) in subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"], capture_output=True, text=True, cwd=tmp_path, env=env
    ).stdout


def test_dockerfile_is_multi_stage_non_root_with_model_and_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM python:3\.\d+-slim", dockerfile, re.M)) == 2
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "COPY models/urikomi" in dockerfile and (ROOT / "models" / "urikomi" / "model.json").exists()
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    assert 'ENTRYPOINT ["urikomi", "serve"' in dockerfile
    build_stage = dockerfile.split("\nFROM ")[1]
    assert re.search(r"apt-get install .*\bgcc\b", build_stage), "the build stage needs a C compiler for the kernel"
