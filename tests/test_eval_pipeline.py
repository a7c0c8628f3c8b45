"""`sagent eval` over a generated benchmark in VSI-Bench's layout: videos and posed frames, locally, in
worker processes and on a local Ray; resumable; a scene that cannot be built costs only its questions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sagent.memory.cache import CacheSettings
from sagent.agent.eval_run import EvalSettings, PlannerAnswerer, run_evaluation
from sagent.agent.evaluate import InputFolderScenes, LayoutScenes, read_predictions, table_of
from sagent.agent.question_sets import QuestionFileError, read_questions
from sagent.agent.rules_planner import RulesPlanner
from sagent.cli import main
from sagent.tools.synthetic.benchmark import write_benchmark

TIMING = ("seconds",)


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    write_benchmark(out, rooms=2, frames=24)
    return out


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One scene cache for the tests that are not about how builds run: each scene is built once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def videos_in_process(bench, tmp_path_factory):
    """The videos built (COLMAP) and answered in this process, once for the module's video tests."""
    return _run(bench, "videos", tmp_path_factory.mktemp("videos-in-process"))


def _comparable(predictions) -> list[dict]:
    def untimed(p):
        row = {k: v for k, v in p.to_dict().items() if k not in TIMING}
        row["trace"] = [{k: v for k, v in step.items() if k != "seconds"} for step in row.get("trace") or []]
        return row

    return [untimed(p) for p in predictions]


def _run(bench: Path, folder: str, cache: Path, out: Path | None = None, **settings):
    questions = read_questions(bench / "questions.jsonl")
    source = InputFolderScenes(bench / folder)
    run_settings = EvalSettings(cache=CacheSettings(dir=str(cache)), **settings)
    return run_evaluation(questions, source, PlannerAnswerer(RulesPlanner()), out, run_settings)


def test_benchmark_has_vsibench_layout_and_exact_ground_truth(bench):
    questions = read_questions(bench / "questions.jsonl")
    assert {q["dataset"] for q in questions} == {"synthetic"}
    assert {"object_counting", "object_abs_distance", "room_size_estimation"} <= {q["question_type"] for q in questions}
    for scene in ("synthetic_1", "synthetic_2"):
        assert (bench / "videos" / "synthetic" / f"{scene}.mp4").is_file()
        assert (bench / "videos" / "synthetic" / f"{scene}_detections.json").is_file()
        assert (bench / "frames" / "synthetic" / scene / "frames.json").is_file()
    on_layouts = run_evaluation(questions, LayoutScenes([bench / "meta_info.json"]), PlannerAnswerer(RulesPlanner()))
    assert table_of(on_layouts.predictions).overall == pytest.approx(100.0)


def test_frames_locally_in_workers_and_on_ray_give_the_same_predictions(bench, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is the optional extra sagent[ray]")
    local = _run(bench, "frames", tmp_path / "a")
    assert all(p.error is None or "UnknownObject" in p.error for p in local.predictions)
    assert table_of(local.predictions).overall > 80
    assert [r.key for r in local.scenes] and all(r.seconds > 0 and r.peak_mib > 0 for r in local.scenes)
    workers = _run(bench, "frames", tmp_path / "b", workers=2)
    try:
        on_ray = _run(bench, "frames", tmp_path / "c", ray="")
    finally:
        ray.shutdown()
    assert _comparable(workers.predictions) == _comparable(local.predictions)
    assert _comparable(on_ray.predictions) == _comparable(local.predictions)


def _assert_agree(found, expected, path="") -> None:
    """Letters, counts, programs and errors equal; numbers within 0.1 %."""
    if isinstance(expected, float) and isinstance(found, (int, float)) and not isinstance(found, bool):
        assert found == pytest.approx(expected, rel=1e-3, abs=1e-9), path
    elif isinstance(expected, dict) and isinstance(found, dict):
        assert found.keys() == expected.keys(), path
        for key in expected:
            _assert_agree(found[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, (list, tuple)) and isinstance(found, (list, tuple)):
        assert len(found) == len(expected), path
        for i, (a, b) in enumerate(zip(found, expected)):
            _assert_agree(a, b, f"{path}[{i}]")
    else:
        assert found == expected, path


def test_videos_through_colmap(videos_in_process):
    run = videos_in_process
    counting = [p for p in run.predictions if p.question_type == "object_counting" and p.error is None]
    assert counting, [p.error for p in run.predictions]
    assert all(abs(p.value - p.ground_truth) <= 1 for p in counting)
    assert {r.key for r in run.scenes} == {"synthetic/synthetic_1", "synthetic/synthetic_2"}
    assert all(r.error is None for r in run.scenes)


def test_videos_in_process_in_workers_and_on_ray_give_the_same_predictions(bench, videos_in_process, tmp_path):
    # Each way gives COLMAP a different thread count (all cores, half each, one a Ray task); fresh caches.
    local = {p.id: p for p in videos_in_process.predictions}
    assert sum(p.error is None for p in local.values()) >= len(local) - 4

    def agrees(way: str, run) -> None:
        assert all(r.error is None for r in run.scenes), way
        found = {p.id: p for p in run.predictions}
        assert found.keys() == local.keys(), way
        for key, expected in local.items():  # the score follows from the prediction (MRA thresholds)
            _assert_agree({**_comparable([found[key]])[0], "score": None},
                          {**_comparable([expected])[0], "score": None}, f"{way}: {key}")

    agrees("2 workers", _run(bench, "videos", tmp_path / "workers", workers=2))
    ray = pytest.importorskip("ray", reason="Ray is the optional extra sagent[ray]")
    try:
        on_ray = _run(bench, "videos", tmp_path / "ray", ray="")
    finally:
        ray.shutdown()
    agrees("Ray", on_ray)


def test_a_scene_that_cannot_be_built_costs_only_its_questions(bench, tmp_path, cache):
    broken = tmp_path / "videos"
    shutil.copytree(bench / "frames", broken)
    (broken / "synthetic" / "synthetic_2" / "frames.json").write_text("{not json")
    questions = read_questions(bench / "questions.jsonl")
    questions.append({**questions[0], "id": "ghost-0", "scene_name": "no_such_room"})
    run = run_evaluation(questions, InputFolderScenes(broken), PlannerAnswerer(RulesPlanner()), None,
                         EvalSettings(cache=CacheSettings(dir=str(cache))))
    by_scene: dict[str, list] = {}
    for p in run.predictions:
        by_scene.setdefault(p.scene, []).append(p)
    assert all(p.error and "frames.json" in p.error for p in by_scene["synthetic/synthetic_2"])
    assert [p.error for p in by_scene["synthetic/no_such_room"]] == [
        f"InputError: no input for scene 'no_such_room' under {broken}"]
    assert sum(p.error is None for p in by_scene["synthetic/synthetic_1"]) >= len(by_scene["synthetic/synthetic_1"]) - 2


def test_an_interrupted_run_resumes_to_the_same_file(bench, tmp_path, cache):
    whole = tmp_path / "whole.jsonl"
    _run(bench, "frames", cache, out=whole)
    header, *lines = whole.read_bytes().splitlines(keepends=True)
    assert len(lines) == len(read_questions(bench / "questions.jsonl"))
    assert json.loads(header)["header"]["settings"]["workers"] == 1
    resumed = tmp_path / "resumed.jsonl"
    resumed.write_bytes(header + b"".join(lines[:5]) + lines[5][: len(lines[5]) // 2])  # killed mid-line
    run = _run(bench, "frames", cache, out=resumed)
    assert run.resumed == 5
    assert _comparable(read_predictions(resumed)) == _comparable(read_predictions(whole))
    again = _run(bench, "frames", cache, out=resumed)  # nothing left to do
    assert again.resumed == len(lines) and not again.scenes


def test_a_crash_while_mending_a_torn_file_leaves_it_readable(tmp_path, monkeypatch):
    from sagent.agent.eval_run import PredictionLog
    from sagent.memory import storage

    torn = tmp_path / "pred.jsonl"
    good = json.dumps({"id": "q1", "question_type": "object_counting", "prediction": 2, "ground_truth": 2, "score": 1.0})
    torn.write_bytes((good + "\n" + good.replace("q1", "q2")[:20]).encode())
    before = torn.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(storage.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        PredictionLog(torn)
    assert torn.read_bytes() == before and [p.id for p in read_predictions(torn)] == ["q1"]
    assert [p.name for p in tmp_path.iterdir()] == ["pred.jsonl"]  # no temporary left behind
    monkeypatch.undo()
    assert list(PredictionLog(torn).done) == ["q1"] and torn.read_bytes().endswith(b"\n")


def test_parquet_and_jsonl_question_files_read_the_same(bench, tmp_path):
    pyarrow = pytest.importorskip("pyarrow", reason="parquet needs the optional extra sagent[bench]")
    import pyarrow.parquet as parquet

    questions = [json.loads(line) for line in (bench / "questions.jsonl").read_text().splitlines()]
    # As VSI-Bench distributes it: ground truth as text, options null or a list.
    rows = [{**q, "ground_truth": str(q["ground_truth"])} for q in questions]
    table = pyarrow.Table.from_pylist(rows)
    parquet.write_table(table, tmp_path / "test.parquet")
    jsonl = tmp_path / "same.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert read_questions(tmp_path / "test.parquet") == read_questions(jsonl)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(QuestionFileError, match="broken.parquet"):
        read_questions(tmp_path / "broken.parquet")


def test_cli_eval_over_videos_and_compare(bench, tmp_path, cache, capsys):
    pred, base = tmp_path / "pred.jsonl", tmp_path / "base.jsonl"
    code = main(["eval", str(bench / "questions.jsonl"), "--videos", str(bench / "frames"), "--out", str(pred),
                 "--planner", "rules", "--cache-dir", str(cache)])
    out = capsys.readouterr().out
    assert code == 0 and "overall" in out and "synthetic/synthetic_1" in out and "peak MiB" in out
    # A weaker "baseline": the same questions answered on the ground-truth layouts minus one scene.
    code = main(["eval", str(bench / "questions.jsonl"), "--layouts", str(bench / "meta_info.json"), "--out",
                 str(base), "--planner", "rules"])
    assert code == 0
    capsys.readouterr()
    assert main(["eval", "--compare", str(pred), str(base)]) == 0
    table = capsys.readouterr().out
    assert "gain" in table.splitlines()[0] and "95% interval" in table.splitlines()[0]
    assert table.splitlines()[-2].startswith("overall") and "bootstrap" in table.splitlines()[-1]
    assert main(["eval", str(bench / "questions.jsonl"), "--videos", str(bench / "frames"),
                 "--layouts", str(bench / "meta_info.json")]) == 1


def test_each_build_reports_its_own_peak_memory():
    import numpy as np

    from sagent.tools.pipeline.build_jobs import BuildPeak

    with BuildPeak() as big:
        block = np.ones(300 * 2**20 // 8)  # 300 MiB touched
        del block
    with BuildPeak() as small:
        pass
    if not big.own:
        pytest.skip("this system cannot reset a process's peak memory (/proc/self/clear_refs)")
    assert big.mib > small.mib + 200  # the second build is not charged the first one's peak
