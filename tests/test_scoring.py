import pytest

from sagent.agent.scoring import THRESHOLDS, mean_relative_accuracy, score_one, score_table


def test_thresholds_are_vsibench_s():
    assert THRESHOLDS == pytest.approx((0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95), abs=1e-12)


@pytest.mark.parametrize("prediction, truth, expected", [
    (10.0, 10.0, 1.0),    # exact: every threshold
    (11.0, 10.0, 0.9),    # 10 % off: passes t <= 0.90 (9 of 10)
    (7.0, 10.0, 0.5),     # 30 % off: passes t <= 0.70 (5 of 10)
    (13.2, 12.0, 0.9),    # 10 % off again, other scale
    (14.0, 10.0, 0.3),    # 40 % off: passes 0.50, 0.55, 0.60
    (16.0, 10.0, 0.0),    # 60 % off: none
    (None, 10.0, 0.0),    # no prediction
])
def test_mra_hand_computed(prediction, truth, expected):
    assert mean_relative_accuracy(prediction, truth) == pytest.approx(expected)


def test_score_one_letters_and_numbers():
    assert score_one("B", "B") == 1.0
    assert score_one("b ", "B") == 1.0
    assert score_one("A", "B") == 0.0
    assert score_one(None, "B") == 0.0
    assert score_one("3", 3) == 1.0
    assert score_one("three", 3) == 0.0
    assert score_one(2, "2", "object_counting") == 1.0  # VSI-Bench's files hold the truth as text
    assert score_one(1.5, "1.5", "object_abs_distance") == 1.0
    assert score_one("B. sofa", "B", "object_rel_distance") == 1.0  # the first word is the letter


def test_table_averages_direction_levels_into_one_task():
    rows = [("object_counting", 1.0), ("object_counting", 0.5),          # 75
            ("object_rel_direction_easy", 1.0),                           # 100
            ("object_rel_direction_medium", 0.0), ("object_rel_direction_medium", 1.0),  # 50
            ("object_rel_direction_hard", 0.0)]                           # 0
    table = score_table(rows)
    assert table.tasks["object_counting"] == pytest.approx(75)
    assert table.tasks["object_rel_direction_medium"] == pytest.approx(50)
    # overall = mean(counting 75, direction mean(100, 50, 0) = 50) = 62.5
    assert table.overall == pytest.approx(62.5)
    assert "overall" in table.render() and "62.5" in table.render()


def test_the_gains_interval_is_a_paired_bootstrap():
    from sagent.agent.evaluate import bootstrap_gains

    tasks = {f"q{i}": ("object_counting" if i % 2 else "object_rel_distance") for i in range(200)}
    same = {q: float(i % 3 == 0) for i, q in enumerate(tasks)}
    assert bootstrap_gains(same, same, tasks)["overall"] == (0.0, 0.0)  # paired: no gain, no spread
    better = {q: 1.0 for q in tasks}
    low, high = bootstrap_gains(better, same, tasks)["overall"]
    gain = 100 * (1 - sum(same.values()) / len(same))
    assert low < gain < high and low > 0
    assert bootstrap_gains(better, same, tasks) == bootstrap_gains(better, same, tasks)  # seeded
