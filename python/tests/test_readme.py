"""The README's Python example runs as written (from the checkout's root, where samples/ is)."""

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_readme_example_runs_as_written(capsys):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        scope: dict = {}
        exec(compile(code, "README.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    targets = scope["gdp_targets"]
    # the samples' GDP targets: rows, each a positive growth rate for a year
    assert targets.height >= 1
    assert (targets["growth_pct"].drop_nulls() > 0).all()
    assert "growth_pct" in capsys.readouterr().out
