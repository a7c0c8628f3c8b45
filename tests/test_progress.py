"""Progress bars: decided once where sagent runs (at a terminal, unless turned off), never passed down."""

from sagent.tools.io.frames import read_manifest
from sagent.tools.io.progress import bars_shown, progress_bars
from sagent.tools.perception.grounding import AnnotationGrounder
from sagent.tools.perception.scene_builder import build_scene
from tests.synthetic_rooms import room


def test_a_build_draws_its_bar_only_where_bars_are_shown(capsys):
    frames = read_manifest(room(3, masks=True, frames=6) / "frames.json")
    assert not bars_shown()  # pytest's captured stderr is no terminal
    build_scene(frames, AnnotationGrounder())
    assert "building scene memory" not in capsys.readouterr().err
    with progress_bars(True):
        assert bars_shown()
        build_scene(read_manifest(room(3, masks=True, frames=6) / "frames.json"), AnnotationGrounder())
        with progress_bars(False):  # an inner choice (a worker's build, the CLI's -q) wins, then ends
            assert not bars_shown()
        assert bars_shown()
    assert "building scene memory" in capsys.readouterr().err
    assert not bars_shown()
