import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagent.memory import OrientedBox
from sagent.tools.geometry import box_distance, boxes_overlap, point_box_distance, segment_distances, signed_floor_angle
from tests.scenes import yawed_box


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    return q * np.sign(np.diag(r))


def sampled_box_distance(a: OrientedBox, b: OrientedBox, n: int = 25) -> float:
    """Brute force: distance between dense surface samples of a and the solid b, and vice versa."""
    g = np.linspace(-0.5, 0.5, n)
    grid = np.stack(np.meshgrid(g, g, g), -1).reshape(-1, 3)
    surface = grid[np.abs(grid).max(axis=1) >= 0.5 - 1e-9]
    pa = a.center_array + (surface * a.extents_array) @ a.axes_array
    pb = b.center_array + (surface * b.extents_array) @ b.axes_array
    return float(min(point_box_distance(pa, b).min(), point_box_distance(pb, a).min()))


def test_axis_aligned_gap_is_exact():
    a = OrientedBox.axis_aligned((0, 0, 0), (2, 2, 2))
    b = OrientedBox.axis_aligned((4, 0, 0), (2, 2, 2))
    assert box_distance(a, b) == pytest.approx(2.0)
    c = OrientedBox.axis_aligned((3, 3, 3), (2, 2, 2))  # corner to corner: (1,1,1) to (2,2,2)
    assert box_distance(a, c) == pytest.approx(math.sqrt(3))


def test_rotated_corner_facing_a_face():
    # A unit cube turned 45 degrees about z points an edge at the other box: the gap is the
    # centre gap minus the half diagonal minus the other's half size.
    a = yawed_box((0, 0, 0), (1, 1, 1), 45)
    b = OrientedBox.axis_aligned((3, 0, 0), (1, 1, 1))
    assert box_distance(a, b) == pytest.approx(3 - math.sqrt(2) / 2 - 0.5)


def test_skew_edges_closest_pair_is_edge_to_edge():
    # Two long thin bars crossing above one another: the answer is their vertical gap, found only
    # by the edge-edge pairs (no corner is near the other bar).
    a = OrientedBox.axis_aligned((0, 0, 0), (10, 0.2, 0.2))
    b = yawed_box((0, 0, 1.2), (10, 0.2, 0.2), 90)
    assert box_distance(a, b) == pytest.approx(1.0)


def test_overlap_and_touch_give_zero():
    a = OrientedBox.axis_aligned((0, 0, 0), (2, 2, 2))
    assert box_distance(a, OrientedBox.axis_aligned((1.5, 0, 0), (2, 2, 2))) == 0.0
    assert box_distance(a, OrientedBox.axis_aligned((2, 0, 0), (2, 2, 2))) == 0.0
    assert boxes_overlap(a, yawed_box((0, 0, 0), (0.1, 0.1, 0.1), 30))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_random_boxes_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    boxes = []
    for _ in range(2):
        axes = random_rotation(rng)
        boxes.append(OrientedBox(center=tuple(rng.uniform(-2, 2, 3)), axes=tuple(map(tuple, axes)),
                                 extents=tuple(rng.uniform(0.1, 1.5, 3))))
    exact = box_distance(*boxes)
    sampled = sampled_box_distance(*boxes)
    assert exact <= sampled + 1e-9  # the exact minimum can't exceed any sampled pair
    assert sampled - exact <= 0.08  # and sampling at this density lands close to it


def test_segment_distance_degenerate_and_parallel():
    p0, p1 = np.array([[0.0, 0, 0]]), np.array([[1.0, 0, 0]])
    assert segment_distances(p0, p1, np.array([[0.5, 2.0, 0]]), np.array([[0.5, 2.0, 0]]))[0] == pytest.approx(2.0)
    assert segment_distances(p0, p1, np.array([[0.0, 1, 0]]), np.array([[1.0, 1, 0]]))[0] == pytest.approx(1.0)
    assert segment_distances(p0, p0, np.array([[3.0, 0, 0]]), np.array([[3.0, 0, 0]]))[0] == pytest.approx(3.0)


def test_signed_floor_angle_left_is_positive():
    up = np.array([0.0, 0, 1])
    assert signed_floor_angle(np.array([0.0, 1, 0]), np.array([-1.0, 0, 5]), up) == pytest.approx(90)
    assert signed_floor_angle(np.array([0.0, 1, 0]), np.array([1.0, -1, 0]), up) == pytest.approx(-135)
    with pytest.raises(ValueError):
        signed_floor_angle(np.array([0.0, 1, 0]), np.array([0.0, 0, 1]), up)


def test_box_rejects_non_orthonormal_axes_and_negative_size():
    with pytest.raises(ValueError):
        OrientedBox(center=(0, 0, 0), axes=((1, 0, 0), (1, 0, 0), (0, 0, 1)), extents=(1, 1, 1))
    with pytest.raises(ValueError):
        OrientedBox.axis_aligned((0, 0, 0), (1, -1, 1))
