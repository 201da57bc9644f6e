"""The CLI contract: argument and setting mistakes through each command's main(argv) in this process (fast tier),
and the commands run as a user runs them, real processes on the real model and index (real-model tier)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args, env, stdin=None):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def env(real_env, real_retriever):
    return real_env


def test_json_shape(env):
    out = run(["retrieval", "search", "my director and I keep clashing over the budget", "--top", "4", "--json"], env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"query", "off_topic", "capabilities"}
    assert data["query"] == "my director and I keep clashing over the budget"
    assert isinstance(data["off_topic"], bool)
    assert len(data["capabilities"]) == 4
    scores = [c["score"] for c in data["capabilities"]]
    assert scores == sorted(scores, reverse=True)
    first = data["capabilities"][0]
    assert set(first) == {"id", "name", "cluster", "score", "indicators"}
    assert set(first["indicators"][0]) == {"id", "text", "score"}
    assert first["indicators"][0]["id"].startswith(first["id"] + ".")


def test_stdin_batch_in_order(env, real_retriever):
    lines = ["We are negotiating a funding agreement with the states", "", "What's the capital of France?",
             "A staff member may have breached the APS Code of Conduct"]
    out = run(["retrieval", "search"], env, stdin="\n".join(lines) + "\n")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["query"] for r in rows] == lines
    assert "error" in rows[1] and rows[1]["capabilities"] == []
    assert rows[2]["off_topic"] is True
    expected = real_retriever.search(lines[3]).to_dict()
    assert rows[3]["capabilities"][0]["id"] == expected["capabilities"][0]["id"]
    assert out.returncode == 1


BAD_INPUT = (["retrieval", "search", "   "], ["retrieval", "search", "x y", "--top", "0"])


def one_line_error(code: int, err: str, expected: int) -> None:
    assert code == expected
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_bad_input_is_one_line_not_a_traceback(env):
    for args in BAD_INPUT:
        out = run(args, env)
        one_line_error(out.returncode, out.stderr, 2)


def test_bad_input_through_main(run_main):
    for module, *args in BAD_INPUT:
        code, _, err = run_main(module, args)
        one_line_error(code, err, 2)


def test_broken_framework_setting(env, tmp_path):
    out = run(["retrieval", "search", "a situation"], {**env, "ILS_COACH_FRAMEWORK": str(tmp_path / "none.json")})
    one_line_error(out.returncode, out.stderr, 1)
    assert "framework file not found" in out.stderr


@pytest.mark.parametrize("module", ["retrieval", "index"])
def test_broken_framework_setting_through_main(run_main, monkeypatch, tmp_path, module):
    monkeypatch.setenv("ILS_COACH_FRAMEWORK", str(tmp_path / "none.json"))
    code, _, err = run_main(module, ["search", "a situation"] if module == "retrieval" else ["build"])
    one_line_error(code, err, 1)
    assert "framework file not found" in err


def test_human_output_and_index_info(env):
    out = run(["retrieval", "search", "I need to tell the minister's office the project is late"], env)
    assert out.returncode == 0 and out.stdout.startswith("1. ")
    info = run(["index", "info"], env)
    assert info.returncode == 0 and "status: current" in info.stdout


MISTAKES = [["index", "bogus"], ["index", "build", "--nope"], ["corpus"], ["corpus", "check"],
            ["retrieval", "search", "x", "--top", "three"], ["retrieval"]]


@pytest.mark.parametrize("args", MISTAKES, ids=[" ".join(a) for a in MISTAKES])
def test_argument_mistakes_in_every_cli_are_one_line(run_main, args):
    code, _, err = run_main(args[0], args[1:])
    one_line_error(code, err, 2)
    assert f"python -m {args[0]}" in err


def test_an_argument_mistake_in_a_real_process(env):
    out = run(MISTAKES[0], env)
    one_line_error(out.returncode, out.stderr, 2)
    assert "python -m index" in out.stderr
