import os
from pathlib import Path

from sagent.dsl import REGISTRY, op_reference

SNAPSHOT = Path(__file__).parent / "snapshots" / "op_reference.txt"


def test_reference_is_generated_from_the_registry():
    text = op_reference()
    for op in REGISTRY.values():
        assert op.signature() in text
        assert op.summary in text
        for param in op.params:
            assert f"{param.name}: {param.doc}" in text


def test_reference_snapshot():
    """The prompt the planner sees. Update with SAGENT_UPDATE_SNAPSHOTS=1 after reviewing the diff."""
    text = op_reference()
    if os.environ.get("SAGENT_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert text == SNAPSHOT.read_text()
