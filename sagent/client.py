"""A Python client for `sagent serve`: the same `Answer` as in process, frames sent as PNG and .npy.

    client = Client("http://127.0.0.1:8000", token=None)
    client.create_scene("kitchen")
    client.send_frame("kitchen", K=K, cam_to_world=pose, image=rgb, depth=depth_m, time=t,
                      detections=[{"label": "chair", "box": [x1, y1, x2, y2], "score": 0.9}])
    answer = client.ask("kitchen", "How far is the chair from the door?")
"""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
from PIL import Image

from sagent.agent.answer import Answer
from sagent.errors import InputError, ProviderError


class ServiceError(InputError):
    """The service refused a request (its one-line reason and HTTP status)."""

    def __init__(self, status: int, detail: str, retry_after: float | None = None):
        super().__init__(f"{status}: {detail}")
        self.status, self.detail, self.retry_after = status, detail, retry_after


class Client:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 600.0,
                 http: httpx.Client | None = None):
        """`http`: an httpx client to send through (a test's, or one with its own transport)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self.http.headers.update(headers)

    def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ProviderError(f"cannot reach the sagent service ({type(error).__name__}: {error})") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            retry = response.headers.get("retry-after")
            raise ServiceError(response.status_code, str(detail), float(retry) if retry else None)
        return response

    def create_scene(self, name: str, input: str | None = None, up=(0.0, 0.0, 1.0)) -> dict:
        return self._call("POST", "/scenes", json={"name": name, "input": input,
                                                   "up": None if up is None else list(map(float, up))}).json()

    def send_frame(self, scene: str, K, cam_to_world=None, image=None, depth=None, time: float | None = None,
                   depth_scale: float = 1000.0, detections: list[dict] | None = None) -> int:
        """The frame's number once the service has it on disk. `image`: UInt8[H W 3] RGB, sent as PNG; `depth`:
        Float[H W] metres, or integers over `depth_scale` (UInt16 as a 16-bit PNG, others as .npy);
        `detections`: label, box and score each (None: none, the frame adds geometry only)."""
        meta = {"K": np.asarray(K, float).tolist(), "time": time, "depth_scale": depth_scale,
                "cam_to_world": None if cam_to_world is None else np.asarray(cam_to_world, float).tolist(),
                "detections": detections or []}
        files = {}
        if image is not None:
            files["image"] = ("image.png", _png(np.asarray(image, np.uint8)), "image/png")
        if depth is not None:
            depth = np.asarray(depth)
            if depth.dtype == np.uint16:
                files["depth"] = ("depth.png", _png(depth), "image/png")
            else:  # integers keep their type (the server divides them by depth_scale), floats are metres
                files["depth"] = ("depth.npy", _npy(depth if depth.dtype.kind in "iu" else depth.astype(np.float32)),
                                  "application/octet-stream")
        return self._call("POST", f"/scenes/{scene}/frames", data={"meta": json.dumps(meta)}, files=files).json()["frame"]

    def ask(self, scene: str, question: str, options: list[str] | None = None) -> Answer:
        response = self._call("POST", f"/scenes/{scene}/ask", json={"question": question, "options": options})
        return Answer.model_validate(response.json())

    def program(self, scene: str, program: str) -> dict:
        return self._call("POST", f"/scenes/{scene}/program", json={"program": program}).json()

    def scene(self, scene: str) -> dict:
        return self._call("GET", f"/scenes/{scene}").json()

    def bev(self, scene: str) -> bytes:
        return self._call("GET", f"/scenes/{scene}/bev.png").content


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()
