"""Metric depth from one photo through `transformers`: Depth Anything V2 metric and Depth Pro.

What each model gives, as read from transformers 5.25 (the same in 4.56):
- Depth Anything V2 metric (`DepthAnythingForDepthEstimation`, config `depth_estimation_type="metric"`):
  `predicted_depth` is `sigmoid(...) * config.max_depth`, metres along the optical axis, at the
  processor's size (`DepthAnythingDepthEstimationHead.forward`); `DPTImageProcessor.post_process_depth_estimation`
  resizes it (bicubic) to the image's size and changes nothing else. No focal length.
- Depth Pro (`DepthProForDepthEstimation`): `predicted_depth` is a canonical inverse depth and `field_of_view`
  the horizontal field of view in degrees (`DepthProFovModel`). `DepthProImageProcessor.post_process_depth_estimation`
  with the image's size turns the angle into `focal_length = 0.5 W / tan(fov / 2)` (pixels of the
  original image), scales the inverse depth by `W / focal_length`, resizes it (bilinear) and returns
  `1 / clamp(inverse depth, 1e-4, 1e4)`: metres, 10 km where the model sees nothing (sky).

Weights are a local folder (the weights store resolves hub names to folders); nothing here goes online.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, NamedTuple

import numpy as np

from sagent.errors import one_line
from sagent.tools.geometry.camera import principal_point_from_corner
from sagent.tools.reconstruction.monocular import DepthEstimate, DepthModelError

__all__ = ["DEPTH_MODELS", "DepthModelSpec", "TransformersDepth", "load_pretrained", "make_depth_model"]

INSTALL = "pip install 'sagent[depth]'"
SUPPORTED = ("depth_anything", "depth_pro")  # config.model_type of the families whose output is metres
# Depth Pro's post-processing clamps inverse depth at 1e-4: a depth at that bound is "nothing seen", not 10 km.
DEPTH_PRO_FAR = 1e4


class DepthModelSpec(NamedTuple):
    repo: str  # hub repository id
    description: str


DEPTH_MODELS: dict[str, DepthModelSpec] = {
    "depth-anything-indoor": DepthModelSpec(
        "depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf",
        "Depth Anything V2 Small, metric, trained on indoor scenes (Hypersim): up to 20 m, fast on a CPU"),
    "depth-anything-outdoor": DepthModelSpec(
        "depth-anything/Depth-Anything-V2-Metric-Outdoor-Small-hf",
        "Depth Anything V2 Small, metric, trained on outdoor scenes (Virtual KITTI 2): up to 80 m"),
    "depth-pro": DepthModelSpec(
        "apple/DepthPro-hf",
        "Apple Depth Pro (ViT-L at 1536 px): metric depth and the focal length, slow without a GPU"),
}
NAMES = ", ".join(DEPTH_MODELS)

Loader = Callable[[str], tuple[Any, Any]]  # weights folder -> (image processor, model)


def _check_config(config, where: str) -> None:
    """Refuse a model whose output is not metres (a relative-depth Depth Anything, another family)."""
    kind = getattr(config, "model_type", None)
    if kind not in SUPPORTED:
        raise DepthModelError(f"{where} holds a {kind!r} model, not a metric depth model sagent reads; use one of "
                              f"{NAMES}")
    if kind == "depth_anything" and getattr(config, "depth_estimation_type", "relative") != "metric":
        raise DepthModelError(f"{where} is a relative-depth Depth Anything (config depth_estimation_type "
                              f"{config.depth_estimation_type!r}, no metres); use depth-anything-indoor or "
                              "depth-anything-outdoor (Depth-Anything-V2-Metric-*-hf)")


def load_pretrained(weights: str) -> tuple[Any, Any]:
    """(image processor, model) from a local folder saved by `save_pretrained`, in float32, checked to give
    metres before the weights are read."""
    try:
        import torch
        from transformers import AutoConfig, AutoImageProcessor, AutoModelForDepthEstimation
    except ImportError:
        raise DepthModelError(f"monocular depth needs PyTorch and transformers: {INSTALL}") from None
    folder = Path(weights)
    if not (folder / "config.json").is_file():
        what = "has no config.json" if folder.is_dir() else "is not a folder on this machine"
        raise DepthModelError(f"depth model weights {weights} {what}: give a folder with a transformers depth model "
                              f"(or one of {NAMES})")
    try:
        _check_config(AutoConfig.from_pretrained(folder, local_files_only=True), folder.name)
        processor = AutoImageProcessor.from_pretrained(folder, local_files_only=True)
        # float32: checkpoints saved in float16 are slow or unsupported on a CPU
        model = AutoModelForDepthEstimation.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    except DepthModelError:
        raise
    except ImportError as error:  # torchvision, which transformers' image processors use
        raise DepthModelError(f"cannot load the depth model in {folder.name} ({one_line(error)}): {INSTALL}") from None
    except Exception as error:  # a broken or foreign folder: one line, not a traceback
        raise DepthModelError(f"cannot load a depth model from {weights} ({one_line(error)})") from None
    return processor, model


SATURATED = 0.99  # of a metric head's max_depth: at its bound, not measured


class TransformersDepth:
    """Depth Anything V2 metric or Depth Pro, loaded on the first `estimate` and kept.

    Args:
        weights: a local folder with the model and its image processor (`save_pretrained`).
        device: torch device, "cpu" by default.
        max_size: at most this many pixels for the side of the square the processor resizes to (None: the
            checkpoint's own, 518 for Depth Anything, which keeps the aspect ratio, 1536 for Depth Pro).
        loader: weights folder -> (image processor, model); `load_pretrained` by default.
    """

    name = "transformers"

    def __init__(self, weights: str, device: str = "cpu", max_size: int | None = None, loader: Loader | None = None):
        if max_size is not None and max_size < 1:
            raise DepthModelError(f"max_size must be a positive number of pixels, got {max_size}")
        self.weights = str(weights)
        self.device = device
        self.max_size = max_size
        self._loader = loader or load_pretrained
        self._loaded: tuple[Any, Any] | None = None

    def settings(self) -> dict:
        return {"depth_model": "transformers", "weights": Path(self.weights).name, "max_size": self.max_size}

    def model(self) -> tuple[Any, Any]:
        """(image processor, model), loaded once."""
        if self._loaded is None:
            try:
                import torch  # noqa: F401  (an injected loader still needs it to run)
            except ImportError:
                raise DepthModelError(f"monocular depth needs PyTorch and transformers: {INSTALL}") from None
            processor, model = self._loader(self.weights)
            _check_config(model.config, Path(self.weights).name)  # an injected loader is held to it too
            try:
                model = model.to(self.device).eval()
            except (RuntimeError, ValueError) as error:  # no such device, or not this build's
                raise DepthModelError(f"cannot run the depth model on {self.device!r} ({one_line(error)})") from None
            self._loaded = processor, model
        return self._loaded

    def estimate(self, image: np.ndarray, K: np.ndarray | None = None) -> DepthEstimate:
        """Depth of UInt8[H W 3] RGB `image`: Float32[H W] metres along the optical axis, 0 where none.

        `K` (Float[3 3] pixels): Depth Pro takes its fx instead of the focal length it would estimate, and the
        estimate carries that K back; Depth Anything does not use it. The estimate's K is Depth Pro's own
        otherwise: fx = fy = its focal length, the principal point at the image's centre ((W - 1) / 2,
        (H - 1) / 2 in sagent's pixel-centre convention); None for Depth Anything.
        """
        image = _checked_image(image)
        given_K = None if K is None else _checked_K(K)
        processor, model = self.model()
        import torch  # there: model() said how to install it if it is not

        height, width = image.shape[:2]
        try:
            inputs = processor(images=image, return_tensors="pt", input_data_format="channels_last",
                               **self._size_override(processor))
            with torch.inference_mode():
                outputs = model(pixel_values=inputs["pixel_values"].to(self.device))
        except (ValueError, RuntimeError, TypeError) as error:  # too small for the model's patches, out of memory
            raise DepthModelError(f"the depth model cannot take this {width}x{height} image "
                                  f"({one_line(error)})") from error
        if model.config.model_type == "depth_pro":
            depth, K_out = self._depth_pro(processor, model, outputs, height, width, given_K)
        else:
            depth, K_out = self._resized(processor, outputs, height, width), None
            if model.config.max_depth:
                # The head's bound (20 m indoors) is where it puts whatever is farther (a window's view):
                # no measurement. Bicubic resizing overshoots it a little.
                depth = np.where(depth < SATURATED * float(model.config.max_depth), depth, 0)
        return DepthEstimate(np.where(np.isfinite(depth) & (depth > 0), depth, 0).astype(np.float32), K_out)

    def _size_override(self, processor) -> dict:
        size = getattr(processor, "size", None)
        if self.max_size is None or size is None:
            return {}
        # a dict in transformers 4, a SizeDict in 5; processors sized by an edge are left alone
        height, width = (size.get(k) if isinstance(size, dict) else getattr(size, k, None) for k in ("height", "width"))
        if height is None or width is None or max(height, width) <= self.max_size:
            return {}
        return {"size": {"height": min(height, self.max_size), "width": min(width, self.max_size)}}

    @staticmethod
    def _resized(processor, outputs, height: int, width: int) -> np.ndarray:
        """Float32[H W] of the model's depth at the image's size (the processor's resize where it has one)."""
        import torch

        if hasattr(processor, "post_process_depth_estimation"):
            depth = processor.post_process_depth_estimation(outputs, target_sizes=[(height, width)])[0]
            depth = depth["predicted_depth"]
        else:
            depth = torch.nn.functional.interpolate(outputs.predicted_depth[:1, None], size=(height, width),
                                                    mode="bilinear", align_corners=False)
        # post-processing squeezes: a 1-pixel-high image loses a dimension there
        return depth.float().cpu().numpy().reshape(height, width)

    def _depth_pro(self, processor, model, outputs, height: int, width: int, given_K):
        """(depth Float32[H W] metres, K) from Depth Pro's inverse depth and field of view."""
        import torch

        if given_K is not None:
            # The processor turns an angle into the focal length: hand it the angle of the caller's fx.
            fov = torch.tensor([math.degrees(2 * math.atan(0.5 * width / given_K[0, 0]))])
        elif getattr(model, "fov_model", None) is None:
            raise DepthModelError(f"{Path(self.weights).name} is a Depth Pro without its field-of-view head "
                                  "(config use_fov_model false): pass K, or use depth-pro (apple/DepthPro-hf)")
        else:
            fov = outputs.field_of_view.float().cpu()
            degrees = float(fov[0])
            if not 0 < degrees < 180:
                raise DepthModelError(f"Depth Pro estimated a field of view of {degrees:.3g} degrees, not an angle a "
                                      f"camera has: the weights in {Path(self.weights).name} are broken, or pass K")
        result = processor.post_process_depth_estimation(
            SimpleNamespace(predicted_depth=outputs.predicted_depth.float().cpu(), field_of_view=fov),
            target_sizes=[(height, width)])[0]
        depth = result["predicted_depth"].float().numpy().reshape(height, width)
        depth = np.where(depth < DEPTH_PRO_FAR * (1 - 1e-3), depth, 0)
        if given_K is not None:
            return depth, given_K
        focal = float(result["focal_length"])
        # Depth Pro's principal point is the image's centre: (W/2, H/2) measured from the corner.
        corner_K = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1.0]])
        return depth, principal_point_from_corner(corner_K)


def _checked_image(image) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8 or 0 in array.shape:
        raise DepthModelError(f"a depth model takes an RGB image, UInt8[H W 3]; got {array.dtype}{list(array.shape)}")
    return np.ascontiguousarray(array)


def _checked_K(K) -> np.ndarray:
    K = np.asarray(K, float)
    if K.shape != (3, 3) or not np.isfinite(K).all() or K[0, 0] <= 0:
        raise DepthModelError(f"K must be Float[3 3] pixels with a positive fx; got {K.tolist()}")
    return K.copy()


def make_depth_model(kind_or_path: str, resolve: Callable[[str], str] = lambda name: name,
                     device: str = "cpu") -> TransformersDepth:
    """A depth model from a name users type (a key of DEPTH_MODELS) or a local folder.

    `resolve(hub repo id) -> local folder` turns a name's repository into its weights (the weights store).
    """
    if kind_or_path in DEPTH_MODELS:
        # Resolved (fetched) when the model first runs: a scene the cache answers needs no weights.
        repo = DEPTH_MODELS[kind_or_path].repo
        return TransformersDepth(repo, device=device, loader=lambda _: load_pretrained(str(resolve(repo))))
    if Path(kind_or_path).is_dir():
        return TransformersDepth(kind_or_path, device=device)
    raise DepthModelError(f"unknown depth model {kind_or_path!r}: use one of {NAMES}, or a local folder with a "
                          "transformers depth model")
