"""Open-vocabulary detectors take their text encoder from the weights store: real ultralytics models
(random weights from their yaml) and real text-encoder loading code (open_clip for CLIP, TorchScript
for MobileCLIP) on tiny random-weight encoders saved as the store would hold them. ultralytics' own
text-model builder (which downloads, and pip-installs `clip`) must never run."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("ultralytics")
open_clip = pytest.importorskip("open_clip")

import sys  # noqa: E402
import types  # noqa: E402

from sagent.tools.perception.grounding import GroundingError  # noqa: E402
from sagent.tools.perception.text_encoders import TextEncoder  # noqa: E402
from sagent.tools.perception.ultralytics_grounder import UltralyticsGrounder  # noqa: E402
from tests.test_grounding import synthetic_frame  # noqa: E402

CLASSES = ["espresso machine", "chair", "sofa"]


def tiny_clip(path):
    """An OpenAI-format CLIP checkpoint (a state dict) with ViT-B/32's text width out (512), tiny inside."""
    torch.manual_seed(0)
    model = open_clip.model.CLIP(
        embed_dim=512, vision_cfg=open_clip.model.CLIPVisionCfg(layers=1, width=64, patch_size=16, image_size=32),
        text_cfg=open_clip.model.CLIPTextCfg(context_length=77, vocab_size=49408, width=64, heads=1, layers=1))
    torch.save(model.state_dict(), path)
    return path


class TinyMobileClip(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(49408, 512)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.embed(tokens).mean(dim=1)


def tiny_mobileclip(path):
    torch.manual_seed(0)
    torch.jit.script(TinyMobileClip().eval()).save(str(path))
    return path


@pytest.fixture
def no_ultralytics_text_model(monkeypatch):
    """ultralytics' text-model module stands in for one whose use fails the test (importing the real one
    wants the `clip` package, which ultralytics would pip-install from GitHub)."""
    def refuse(*args, **kwargs):
        raise AssertionError("ultralytics built its own text model (it would download it)")

    monkeypatch.setitem(sys.modules, "ultralytics.nn.text_model",
                        types.SimpleNamespace(build_text_model=refuse, __getattr__=refuse))


@pytest.mark.parametrize("family,yaml,encoder", [("world", "yolov8s-worldv2.yaml", "ViT-B-32.pt"),
                                                 ("yoloe", "yoloe-11s-seg.yaml", "mobileclip_blt.ts")])
def test_classes_are_encoded_with_the_stores_text_encoder(tmp_path, family, yaml, encoder, no_ultralytics_text_model):
    files = {"ViT-B-32.pt": tiny_clip(tmp_path / "ViT-B-32.pt"),
             "mobileclip_blt.ts": tiny_mobileclip(tmp_path / "mobileclip_blt.ts")}
    asked = []

    def resolve(name):
        asked.append(name)
        return files[name]

    grounder = UltralyticsGrounder(yaml, confidence=0.0, resolve=resolve)
    assert grounder.family == family
    detections = grounder.detect(synthetic_frame(), CLASSES)
    assert asked == [encoder]
    names = grounder._model.model.names
    assert list(names.values() if isinstance(names, dict) else names) == CLASSES
    assert detections and {d.label for d in detections} <= set(CLASSES)  # random weights: boxes of any class asked
    grounder.detect(synthetic_frame(), CLASSES)
    assert asked == [encoder]  # loaded once


def test_embeddings_are_unit_vectors_one_per_class(tmp_path):
    encode = TextEncoder(tiny_clip(tmp_path / "clip.pt"), "clip")
    features = encode(CLASSES)
    assert features.shape == (1, 3, 512)
    assert torch.allclose(features.norm(dim=-1), torch.ones(1, 3), atol=1e-5)
    assert not torch.allclose(features[0, 0], features[0, 1])  # different names, different vectors


def test_a_damaged_text_encoder_is_one_line(tmp_path):
    broken = tmp_path / "ViT-B-32.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(GroundingError, match="cannot load the text encoder .*ViT-B-32.pt") as error:
        TextEncoder(broken, "clip")(["chair"])
    assert "\n" not in str(error.value)
