"""Monocular depth backends through transformers, on tiny random-weight models saved to folders and
loaded by the real loading code (no weights can be downloaded here). Each model's last layer is set to
a constant, so the metres it must give are known."""

import math
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from sagent.tools.geometry.camera import PinholeCamera  # noqa: E402
from sagent.tools.reconstruction.depth_models import (  # noqa: E402
    DEPTH_MODELS,
    TransformersDepth,
    load_pretrained,
    make_depth_model,
)
from sagent.tools.reconstruction.monocular import DepthModelError  # noqa: E402

SHAPES = [(480, 640), (23, 37)]
MAX_DEPTH = 10  # metres; the config field is an int in transformers 5
HEAD_SIGMOID = 0.75  # Depth Anything's head made to say sigmoid(...) = 0.75: 7.5 m
FOV_DEGREES = 60.0  # Depth Pro's field-of-view head made to say 60 degrees
INVERSE_DEPTH = 0.5  # and its depth head a canonical inverse depth of 0.5


def _dinov2(**sizes):
    return transformers.Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, **sizes)


def _depth_anything(folder, kind="metric"):
    torch.manual_seed(0)
    backbone = _dinov2(patch_size=14, image_size=56, out_indices=[1, 2], reshape_hidden_states=False)
    config = transformers.DepthAnythingConfig(
        backbone_config=backbone, reassemble_hidden_size=32, neck_hidden_sizes=[16, 32], reassemble_factors=[2, 1],
        fusion_hidden_size=16, head_hidden_size=8, depth_estimation_type=kind, max_depth=MAX_DEPTH)
    model = transformers.DepthAnythingForDepthEstimation(config).eval()
    with torch.no_grad():
        model.head.conv3.weight.zero_()
        model.head.conv3.bias.fill_(math.log(HEAD_SIGMOID / (1 - HEAD_SIGMOID)))
    processor = transformers.DPTImageProcessor(size={"height": 56, "width": 56}, keep_aspect_ratio=True,
                                               ensure_multiple_of=14, image_mean=[0.485, 0.456, 0.406],
                                               image_std=[0.229, 0.224, 0.225])
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _depth_pro(folder, fov_head=True):
    torch.manual_seed(0)
    sub = dict(patch_size=4, image_size=16)
    config = transformers.DepthProConfig(
        patch_size=16, fusion_hidden_size=16, intermediate_hook_ids=[1, 0], intermediate_feature_dims=[8, 8],
        scaled_images_feature_dims=[16, 16, 8], image_model_config=_dinov2(**sub), patch_model_config=_dinov2(**sub),
        fov_model_config=_dinov2(**sub), use_fov_model=fov_head)
    model = transformers.DepthProForDepthEstimation(config).eval()
    with torch.no_grad():
        last = model.head.layers[4]  # the 1x1 convolution before the final ReLU
        last.weight.zero_()
        last.bias.fill_(INVERSE_DEPTH)
        if fov_head:
            model.fov_model.head.layers[-1].weight.zero_()
            model.fov_model.head.layers[-1].bias.fill_(FOV_DEGREES)
    model.save_pretrained(folder)
    transformers.DepthProImageProcessor(size={"height": 64, "width": 64}).save_pretrained(folder)  # 4 x patch_size
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("depth_models")
    return dict(anything=str(_depth_anything(root / "da-metric")),
                relative=str(_depth_anything(root / "da-relative", kind="relative")),
                pro=str(_depth_pro(root / "depth-pro")),
                pro_no_fov=str(_depth_pro(root / "depth-pro-no-fov", fov_head=False)))


def _image(height, width, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _one_line(error) -> str:
    text = str(error.value)
    assert "\n" not in text and text
    return text


def _valid_depth(depth, shape):
    assert depth.shape == shape and depth.dtype == np.float32
    assert np.isfinite(depth).all() and (depth >= 0).all()


@pytest.mark.parametrize("shape", SHAPES)
def test_depth_anything_gives_metres_at_the_image_size(folders, shape):
    estimate = TransformersDepth(folders["anything"]).estimate(_image(*shape))
    _valid_depth(estimate.depth, shape)
    assert np.allclose(estimate.depth, HEAD_SIGMOID * MAX_DEPTH, atol=1e-3)  # sigmoid x max_depth, in metres
    assert estimate.K is None  # no focal length from Depth Anything


@pytest.mark.parametrize("shape", SHAPES)
def test_depth_pro_gives_metres_and_a_pinhole_camera_for_the_image(folders, shape):
    height, width = shape
    estimate = TransformersDepth(folders["pro"]).estimate(_image(*shape))
    _valid_depth(estimate.depth, shape)
    focal = 0.5 * width / math.tan(math.radians(FOV_DEGREES / 2))
    # inverse depth is scaled by W / focal, then inverted: 1 / (0.5 * W / focal) metres
    assert np.allclose(estimate.depth, focal / (INVERSE_DEPTH * width), rtol=1e-4)
    K = estimate.K
    assert K.shape == (3, 3) and np.isfinite(K).all()
    assert K[0, 0] == pytest.approx(focal, rel=1e-5) and K[1, 1] == K[0, 0]
    assert (K[0, 2], K[1, 2]) == ((width - 1) / 2, (height - 1) / 2)  # the centre, pixel centres at integers
    assert K[0, 1] == K[1, 0] == 0 and list(K[2]) == [0, 0, 1]
    camera = PinholeCamera(K, np.eye(4), width, height)
    corners = np.array([[0, 0], [width - 1, height - 1]], float)
    uv, _ = camera.project(camera.unproject(corners, np.array([2.0, 3.0])))
    assert np.allclose(uv, corners)
    centre_ray = camera.unproject(np.array([[(width - 1) / 2, (height - 1) / 2]]), np.array([1.0]))
    assert np.allclose(centre_ray, [[0, 0, 1]])  # the optical axis goes through the image's centre


def test_depth_pro_takes_a_given_focal_length_instead_of_its_own(folders):
    K = np.array([[300.0, 0, 319.5], [0, 300.0, 239.5], [0, 0, 1]])
    estimate = TransformersDepth(folders["pro"]).estimate(_image(480, 640), K=K)
    assert np.allclose(estimate.depth, 300.0 / (INVERSE_DEPTH * 640), rtol=1e-4)
    assert np.array_equal(estimate.K, K)


def test_depth_pro_without_its_field_of_view_head_needs_K(folders):
    model = TransformersDepth(folders["pro_no_fov"])
    with pytest.raises(DepthModelError) as error:
        model.estimate(_image(48, 64))
    assert "pass K" in _one_line(error)
    K = np.array([[50.0, 0, 31.5], [0, 50.0, 23.5], [0, 0, 1]])
    assert np.allclose(model.estimate(_image(48, 64), K=K).depth, 50.0 / (INVERSE_DEPTH * 64), rtol=1e-4)


def test_relative_depth_anything_is_refused_in_one_line(folders):
    with pytest.raises(DepthModelError) as error:
        TransformersDepth(folders["relative"]).estimate(_image(23, 37))
    text = _one_line(error)
    assert "relative" in text and "depth-anything-indoor" in text


def test_a_folder_without_a_depth_model_is_one_line(folders, tmp_path):
    transformers.Dinov2Config().save_pretrained(tmp_path / "not-depth")  # a model, but not a depth model
    config_only = tmp_path / "config-only"
    transformers.AutoConfig.from_pretrained(folders["anything"]).save_pretrained(config_only)  # no weights
    (tmp_path / "empty").mkdir()
    for folder, said in [(tmp_path / "empty", "no config.json"), (tmp_path / "missing", "not a folder"),
                         (tmp_path / "not-depth", "'dinov2'"), (config_only, "cannot load")]:
        with pytest.raises(DepthModelError) as error:
            TransformersDepth(str(folder)).estimate(_image(23, 37))
        assert said in _one_line(error)


@pytest.mark.parametrize("image", [np.zeros((8, 8), np.uint8), np.zeros((8, 8, 4), np.uint8),
                                   np.zeros((8, 8, 3), np.float32), np.zeros((0, 8, 3), np.uint8)])
def test_an_image_the_model_cannot_take_is_one_line(folders, image):
    with pytest.raises(DepthModelError) as error:
        TransformersDepth(folders["anything"]).estimate(image)
    assert "UInt8[H W 3]" in _one_line(error)


def test_without_transformers_or_on_a_missing_device_it_says_so_in_one_line(folders, monkeypatch):
    with pytest.raises(DepthModelError) as error:
        TransformersDepth(folders["anything"], device="no-such-device").estimate(_image(23, 37))
    assert "no-such-device" in _one_line(error)
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if it were not installed
    with pytest.raises(DepthModelError) as error:
        TransformersDepth(folders["anything"]).estimate(_image(23, 37))
    assert "pip install 'sagent[depth]'" in _one_line(error)


def test_the_model_loads_lazily_and_once(folders):
    calls = []

    def counting(weights):
        calls.append(weights)
        return load_pretrained(weights)

    model = TransformersDepth(folders["anything"], loader=counting)
    assert calls == []  # nothing read before the first image
    first = model.estimate(_image(23, 37))
    second = model.estimate(_image(480, 640, seed=1))
    assert calls == [folders["anything"]] and first.depth.shape == (23, 37) and second.depth.shape == (480, 640)


def test_max_size_caps_what_the_model_sees(folders):
    seen = []
    model = TransformersDepth(folders["anything"], max_size=28)
    _, network = model.model()
    network.register_forward_pre_hook(lambda module, args, kwargs: seen.append(kwargs["pixel_values"].shape[2:]),
                                      with_kwargs=True)
    assert model.estimate(_image(480, 640)).depth.shape == (480, 640)
    assert tuple(seen[0]) == (28, 42)  # 56 px square capped at 28; the aspect ratio kept, multiples of 14
    assert model.settings() == {"depth_model": "transformers", "weights": "da-metric", "max_size": 28}


def test_names_users_type_resolve_to_folders(folders):
    asked = []

    def resolve(repo):
        asked.append(repo)
        return folders["anything"]

    model = make_depth_model("depth-anything-indoor", resolve=resolve)
    assert asked == [] and model.weights == "depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf"  # not yet
    assert model.estimate(_image(23, 37)).depth.shape == (23, 37)  # fetched when it first runs
    assert asked == ["depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf"]
    assert make_depth_model("depth-pro", resolve=lambda repo: repo).weights == "apple/DepthPro-hf"
    assert make_depth_model(folders["pro"]).weights == folders["pro"]
    assert set(DEPTH_MODELS) == {"depth-anything-indoor", "depth-anything-outdoor", "depth-pro"}
    assert all(spec.description for spec in DEPTH_MODELS.values())
    with pytest.raises(DepthModelError) as error:
        make_depth_model("depth-anything")
    assert "depth-anything-indoor" in _one_line(error)
    with pytest.raises(DepthModelError) as error:  # a hub name left unresolved never goes online
        make_depth_model("depth-pro").estimate(_image(23, 37))
    assert "apple/DepthPro-hf" in _one_line(error)


def test_depth_at_the_metric_heads_bound_is_no_measurement(folders):
    """Depth Anything puts whatever is beyond its max_depth (a window's view) at max_depth: not a distance."""
    model = TransformersDepth(folders["anything"])
    _, network = model.model()
    with torch.no_grad():
        network.head.conv3.bias.fill_(math.log(0.995 / 0.005))  # sigmoid 0.995: at the bound
    assert (model.estimate(_image(23, 37)).depth == 0).all()
