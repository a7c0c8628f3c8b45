"""Text encoders of open-vocabulary detectors, loaded from files the weights store holds.

ultralytics builds its own text encoder on every `set_classes` (downloading its weights into its own
folder, and pip-installing the `clip` package from GitHub when it is missing). sagent hands it the
class embeddings instead, computed here from the store's files:
- YOLO-World: OpenAI CLIP ViT-B/32 (`ViT-B-32.pt`, a TorchScript archive or a state dict), through open_clip;
- YOLOE-11: MobileCLIP-B(LT) (`mobileclip_blt.ts`, TorchScript), tokenized as CLIP is.
Each gives Float[1 n d] unit vectors, one per class name, as ultralytics' `get_text_pe` does before any
detector head.
"""

from __future__ import annotations

from pathlib import Path

from sagent.errors import one_line
from sagent.tools.perception.grounding import GroundingError

BATCH = 80  # class names encoded at once, as ultralytics does


def _open_clip():
    try:
        import open_clip
    except ImportError:
        raise GroundingError("open-vocabulary detection needs open_clip: pip install 'sagent[perception]'") from None
    return open_clip


class TextEncoder:
    """Float[1 n d] unit text embeddings of class names; the model loads on first use."""

    def __init__(self, weights: Path, kind: str, device: str = "cpu"):
        """`kind`: "clip" (OpenAI CLIP checkpoint) or "mobileclip" (TorchScript text encoder)."""
        self.weights, self.kind, self.device = Path(weights), kind, device
        self._model = None
        self._tokenizer = None

    def _load(self):
        if self._model is not None:
            return self._model, self._tokenizer
        import torch

        open_clip = _open_clip()
        try:
            if self.kind == "clip":
                model = open_clip.load_openai_model(str(self.weights), precision="fp32", device=self.device)
                encode = model.encode_text
            else:
                encode = torch.jit.load(str(self.weights), map_location=self.device).eval()
        except Exception as error:  # a damaged or foreign file: name it
            raise GroundingError(f"cannot load the text encoder {self.weights} ({one_line(error)}); delete it and "
                                 "let sagent fetch it again (`sagent models fetch`)") from None
        self._model, self._tokenizer = encode, open_clip.get_tokenizer("ViT-B-32")  # MobileCLIP shares CLIP's BPE
        return self._model, self._tokenizer

    def __call__(self, classes: list[str]):
        import torch

        encode, tokenize = self._load()
        tokens = tokenize(list(classes)).to(self.device)
        with torch.no_grad():
            features = torch.cat([encode(batch).float() for batch in tokens.split(BATCH)])
        features = features / features.norm(p=2, dim=-1, keepdim=True)
        return features.reshape(1, len(classes), -1)


__all__ = ["TextEncoder"]
