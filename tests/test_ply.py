"""The fused cloud as a .ply: it reads back through Open3D as written, and a bad target or a failed write
is one error that leaves any earlier file whole."""

import sys

import numpy as np
import open3d as o3d
import pytest

from sagent.errors import InputError
from sagent.memory.scene import SceneMemory, SceneRecord
from sagent.tools.render.ply import PlyError, write_ply, write_points_ply


def _cloud(count=2000, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform([-2.0, -1.5, 0.0], [3.0, 2.5, 2.4], (count, 3)), rng.random((count, 3))], axis=1)


def test_a_scene_cloud_round_trips_through_open3d(tmp_path):
    cloud = _cloud()
    scene = SceneMemory(SceneRecord(name="room"), point_cloud=cloud.astype(np.float32))
    path = write_ply(tmp_path / "room.ply", scene)
    read = o3d.io.read_point_cloud(str(path))
    points, colours = np.asarray(read.points), np.asarray(read.colors)
    assert len(points) == len(cloud)
    np.testing.assert_array_equal(points, cloud[:, :3].astype(np.float32))  # written as doubles: exact
    np.testing.assert_array_equal(read.get_min_bound(), cloud[:, :3].astype(np.float32).min(axis=0))
    np.testing.assert_array_equal(read.get_max_bound(), cloud[:, :3].astype(np.float32).max(axis=0))
    np.testing.assert_allclose(colours, cloud[:, 3:], atol=0.5 / 255 + 1e-6)  # 8 bits per channel
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left beside it


def test_points_without_colour(tmp_path):
    cloud = _cloud(50)[:, :3]
    read = o3d.io.read_point_cloud(str(write_points_ply(tmp_path / "xyz.ply", cloud)))
    assert len(read.points) == 50 and not read.has_colors()


def test_a_scene_without_a_cloud_says_so(tmp_path, living_room):
    with pytest.raises(PlyError, match="has no fused point cloud"):
        write_ply(tmp_path / "layout.ply", living_room)
    assert not (tmp_path / "layout.ply").exists()


@pytest.mark.parametrize("target, words", [
    ("missing/out.ply", "its folder"),
    ("file.txt/out.ply", "its folder"),
    ("out.pcd", "ending in .ply"),
    ("folder.ply", "is a folder"),
])
def test_a_path_that_cannot_take_the_file(tmp_path, target, words):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "folder.ply").mkdir()
    with pytest.raises(PlyError, match=words):
        write_points_ply(tmp_path / target, _cloud(10))


@pytest.mark.parametrize("cloud, words", [
    (np.zeros((0, 6)), "no points"),
    (np.zeros((5, 4)), "N x 3"),
    (np.array([[0.0, np.nan, 1.0]]), "NaN"),
])
def test_a_cloud_that_cannot_be_written(tmp_path, cloud, words):
    with pytest.raises(PlyError, match=words):
        write_points_ply(tmp_path / "bad.ply", cloud)


def test_a_failed_write_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    path = write_points_ply(tmp_path / "room.ply", _cloud(100))
    before = path.read_bytes()
    monkeypatch.setattr(o3d.io, "write_point_cloud", lambda *args, **kwargs: False)  # Open3D reports failure so
    with pytest.raises(PlyError, match="failed to write"):
        write_points_ply(path, _cloud(300, seed=1))
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]


def test_a_missing_open3d_is_one_error_naming_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "open3d", None)  # importing it now fails
    with pytest.raises(InputError, match="open3d-cpu"):
        write_points_ply(tmp_path / "room.ply", _cloud(10))


def test_a_mesh_of_a_generated_room_lies_on_its_walls_floor_and_furniture(tmp_path, capsys):
    """`inspect --mesh` fuses every frame's depth and colour into a TSDF: its vertices lie on the room's
    surfaces (the shell or an object box, known exactly), and it reads back through Open3D coloured."""
    import json

    from sagent.cli import main
    from sagent.memory.box import OrientedBox
    from sagent.tools.geometry.boxes import point_box_distance
    from tests.synthetic_rooms import room

    folder = room(1)
    out = tmp_path / "room.ply"
    assert main(["inspect", str(folder / "frames.json"), "--no-cache", "--mesh", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mesh_triangles"] > 10_000
    mesh = o3d.io.read_triangle_mesh(str(out))
    assert mesh.has_vertex_colors() and len(mesh.triangles) > 10_000
    vertices = np.asarray(mesh.vertices)
    truth = json.loads((folder / "ground_truth.json").read_text())
    width, length = truth["room"]
    shell = np.min(np.abs(np.stack([vertices[:, 0], width - vertices[:, 0], vertices[:, 1], length - vertices[:, 1],
                                    vertices[:, 2], 2.8 - vertices[:, 2]])), axis=0)
    boxes = [OrientedBox(center=tuple(o["center"]), axes=tuple(map(tuple, o["axes"])), extents=tuple(o["size"]))
             for o in truth["objects"]]
    furniture = np.min([point_box_distance(vertices, box) for box in boxes], axis=0)
    assert np.mean(np.minimum(shell, furniture) < 0.03) > 0.97


def test_a_mesh_needs_depth_frames(tmp_path, capsys):
    """A layout, or frames without depth, is one message before any work: no folder made, nothing written."""
    import json

    from sagent.cli import main
    from tests.conftest import EXAMPLE_LAYOUT
    from tests.synthetic_rooms import room

    manifest = json.loads((room(1) / "frames.json").read_text())
    for entry in manifest["frames"]:
        entry.pop("depth")
        entry["image"] = str(room(1) / entry["image"])
    (tmp_path / "frames.json").write_text(json.dumps(manifest))
    for given in (f"{EXAMPLE_LAYOUT}:living_room", str(EXAMPLE_LAYOUT), str(tmp_path / "frames.json")):
        out = tmp_path / "new" / "m.ply"
        assert main(["inspect", given, "--no-cache", "--mesh", str(out), "--ply", str(out)]) == 1, given
        err = capsys.readouterr().err
        assert "a mesh is fused from depth frames" in err and "Traceback" not in err, err
        assert not out.parent.exists()
