import pytest

from sagent.agent.scoring import THRESHOLDS, mean_relative_accuracy, score_one, score_table


def test_thresholds_are_vsibench_s():
    assert THRESHOLDS == (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


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
