"""The GitHub Actions workflows read as data, for the tests that check them."""

from __future__ import annotations

from typing import Any

import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = {p.name: p for p in sorted(WORKFLOWS.glob("*.yml"))}


def load(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load(FILES[name].read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as True
    return workflow


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def runs(workflow: dict[str, Any]) -> str:
    return "\n".join(s.get("run", "") for job in workflow["jobs"].values() for s in steps(job))
