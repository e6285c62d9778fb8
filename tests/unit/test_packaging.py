"""What the container and the scripts promise, checked on the files themselves."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_container_runs_as_an_unprivileged_user():
    text = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    # the final stage is the one that runs
    final = text.rsplit("\nFROM ", 1)[-1]
    assert "USER " in final and "HEALTHCHECK" in final


def test_compose_waits_for_a_healthy_database_and_a_finished_load():
    text = (ROOT / "compose.yaml").read_text()
    assert "pg_isready" in text
    assert "condition: service_healthy" in text
    assert "condition: service_completed_successfully" in text


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text().splitlines()[:5]
    assert any("scripts/test.sh" in line for line in readme)
    assert any("scripts/demo.sh" in line for line in readme)
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
