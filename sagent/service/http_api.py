"""`sagent serve`: an HTTP API a robot streams frames into and asks questions of (FastAPI; OpenAPI at /docs).

    POST /scenes                     {"name", "input"?, "up"?}: a scene made from an input on the server
                                     (read only under the data roots), or empty, for frames
    POST /scenes/{name}/frames       multipart: meta (JSON: K, cam_to_world, time, depth_scale, detections),
                                     image (PNG/JPEG), depth (16-bit PNG over depth_scale, or .npy metres)
    POST /scenes/{name}/ask          {"question", "options"?, "planner"?} -> the Answer, as `sagent ask --json`
    POST /scenes/{name}/program      {"program"} -> value, unit, trace; a program's errors with their caret
    GET  /scenes/{name}              objects, cameras, scale, frames acknowledged and processed
    GET  /scenes/{name}/bev.png      the bird's-eye view;  GET /scenes/{name}/cloud.ply  the fused cloud
    GET  /scenes/{name}/events       server-sent events: the build's progress as frames are added

One writer per scene (a thread, behind a bounded queue: a full queue answers 429 with Retry-After) and
many readers; a frame is acknowledged once it is on disk, so a restart loses none. Every failure is a
4xx (5xx for a bug) with one line in "detail"; the scene is unchanged by a refused request.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import secrets
import tempfile
from pathlib import Path

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from sagent.agent.answer import Answer
from sagent.agent.ask import ask
from sagent.agent.planner_settings import PlannerSettings
from sagent.agent.planners import make_planner
from sagent.dsl import DslError, ExecContext, op_reference, run_program
from sagent.errors import InputError, ModelError, ProviderError, SagentError
from sagent.service.live import Busy, FramePayload, NoFramesYet, NotStreamed, QueueFull, StorageFull, WriterBehind
from sagent.service.registry import OutsideDataRoots, Registry, SceneExists
from sagent.service.scenes import UnknownScene
from sagent.service.views import execution_json, objects_json
from sagent.service.serve_settings import ServeSettings
from sagent.tools.render.bev import render_bev
from sagent.tools.render.ply import write_ply

_STATUS = [(UnknownScene, 404), (SceneExists, 409), (NotStreamed, 409), (NoFramesYet, 409), (OutsideDataRoots, 403),
           (QueueFull, 429), (WriterBehind, 503), (StorageFull, 507), (DslError, 422), (ModelError, 422),
           (ProviderError, 502), (InputError, 400), (SagentError, 400)]
# What a question may change of the server's planner: how it plans, never which model or server it calls.
QUESTION_PLANNER_FIELDS = ("kind", "max_repairs", "max_steps", "votes", "form")
PlannerChoice = create_model("PlannerChoice", __config__=ConfigDict(extra="forbid"), **{
    name: (PlannerSettings.model_fields[name].annotation | None,
           Field(None, description=PlannerSettings.model_fields[name].description))
    for name in QUESTION_PLANNER_FIELDS})


class NewScene(BaseModel):
    name: str = Field(description="the scene's name: letters, digits, '_', '-', '.'")
    input: str | None = Field(None, description="a path on the server (frames, video, photo, layout META.json:SCENE, "
                                                "memory .npz); none: an empty scene to stream frames into")
    up: list[float] | None = Field([0.0, 0.0, 1.0], min_length=3, max_length=3,
                                   description="the world's up axis for streamed frames; null: found from the floor")

    @field_validator("up")
    @classmethod
    def _direction(cls, up: list[float] | None) -> list[float] | None:
        if up is not None and not (np.isfinite(up).all() and np.linalg.norm(up) > 1e-6):
            raise ValueError("up must be a finite, non-zero direction")
        return up


class FrameMeta(BaseModel):
    K: list[list[float]] = Field(description="3x3 intrinsics, pixels")
    cam_to_world: list[list[float]] | None = Field(None, description="4x4 camera-to-world pose, metres (OpenCV "
                                                                     "axes); only the first frame may leave it out")
    time: float | None = Field(None, description="seconds; default: the frame's number")
    depth_scale: float = Field(1000.0, gt=0, description="integer depth (16-bit PNG) is divided by this (1000: mm)")
    detections: list[dict] | None = Field(None, description="[{label, box: [x1, y1, x2, y2], score, mask?}], an "
                                                            "empty list when the frame has none (required)")


class Question(BaseModel):
    question: str
    options: list[str] | None = None
    planner: PlannerChoice | None = Field(None, description="how this question is planned, over the server's planner "
                                                           "(its model and provider stay the server's)")


class Program(BaseModel):
    program: str = Field(description="a DSL program (GET /reference for the ops)")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _status(error: SagentError) -> int:
    return next(code for kind, code in _STATUS if isinstance(error, kind))


def _decode_image(data: bytes, what: str) -> np.ndarray:
    from PIL import Image

    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        raise InputError(f"{what}: not a PNG or JPEG image (it starts with {data[:8]!r})")
    try:
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB") if what == "image" else image)
    except Exception as error:  # noqa: BLE001 - whatever a damaged file makes the decoder raise, it is the sender's
        raise InputError(f"{what}: a damaged PNG or JPEG image ({_one_line(error)[:120]})") from None


def _decode_depth(data: bytes) -> np.ndarray:
    if data.startswith(b"\x93NUMPY"):
        try:
            stream = io.BytesIO(data)
            major, _ = np.lib.format.read_magic(stream)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(stream)
            if int(np.prod(shape)) * dtype.itemsize > len(data):  # a header that promises more than was sent
                raise ValueError(f"its header says {shape} {dtype}, more than the {len(data)} bytes sent")
            return np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, TypeError, OSError) as error:
            raise InputError(f"depth: not a readable .npy array ({_one_line(error)[:120]})") from None
    return _decode_image(data, "depth")


def build_app(registry: Registry, settings: ServeSettings | None = None,
              planner: PlannerSettings | None = None) -> FastAPI:
    settings = settings or ServeSettings()
    default_planner = planner or PlannerSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        registry.start()  # every saved scene back, its frames replayed
        try:
            yield
        finally:
            registry.stop()

    app = FastAPI(title="sagent", version="1", description=__doc__, lifespan=lifespan)
    token = settings.token.get_secret_value() if settings.token is not None else None
    limit = int(settings.max_body_mb * 1e6)

    @app.middleware("http")
    async def guarded(request: Request, call_next):
        """The token, then the body's size, before anything of the body is read."""
        if token is not None and request.url.path not in ("/docs", "/openapi.json"):
            given = request.headers.get("authorization", "")
            if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return JSONResponse({"detail": "missing or wrong bearer token (Authorization: Bearer TOKEN)"},
                                    status_code=401)
        length = request.headers.get("content-length")
        if length is None and request.headers.get("transfer-encoding", "").lower() == "chunked":
            return JSONResponse({"detail": "send the body with a Content-Length (chunked bodies are not taken)"},
                                status_code=411)
        if length is not None and length.isdigit() and int(length) > limit:
            return JSONResponse({"detail": f"request body of {int(length) / 1e6:.1f} MB is over this server's "
                                           f"{settings.max_body_mb:g} MB"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(SagentError)
    async def refused(request: Request, error: SagentError):
        status = _status(error)
        detail = f"the program is invalid:\n{error.render()}" if isinstance(error, DslError) else _one_line(error)
        headers = {"Retry-After": f"{max(1, round(error.retry_after))}"} if isinstance(error, Busy) else None
        return JSONResponse({"detail": detail, "kind": type(error).__name__}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part != "body") or "request"
        return JSONResponse({"detail": f"{where}: {first['msg']}"}, status_code=422)

    @app.post("/scenes", status_code=201)
    def create_scene(new: NewScene) -> dict:
        """A scene made from an input on the server, or an empty one to stream frames into."""
        return registry.create(new.name, new.input, new.up).status()

    @app.get("/scenes")
    def list_scenes() -> list[dict]:
        return [scene.status() for scene in registry.scenes.values()]

    @app.post("/scenes/{name}/frames", status_code=202)
    def add_frame(name: str, meta: str = Form(...), image: UploadFile | None = File(None),
                  depth: UploadFile | None = File(None)) -> dict:
        """One posed frame; acknowledged (202) once it is on disk and queued."""
        scene = registry.get(name).streamed()
        try:
            fields = FrameMeta.model_validate_json(meta)
        except ValueError as error:
            raise InputError(f"meta: {_one_line(error)[:200]}") from None
        try:
            K = np.asarray(fields.K, float)
            pose = None if fields.cam_to_world is None else np.asarray(fields.cam_to_world, float)
        except ValueError:
            raise InputError("meta: K must be 3x3 and cam_to_world 4x4, rows of numbers") from None
        payload = FramePayload(K, pose, fields.time,
                               _decode_image(image.file.read(), "image") if image is not None else None,
                               _decode_depth(depth.file.read()) if depth is not None else None, fields.depth_scale,
                               fields.detections)
        return {"scene": name, "frame": scene.submit(payload), **scene.status()}

    @app.post("/scenes/{name}/ask")
    def ask_scene(name: str, question: Question) -> Answer:
        """The answer to a question about every frame acknowledged before it, as `sagent ask --json` gives it."""
        memory = registry.get(name).memory()
        chosen = {} if question.planner is None else question.planner.model_dump(exclude_none=True)
        planner = PlannerSettings(**{**dict(default_planner), **chosen})
        return ask(memory, question.question, make_planner(planner), question.options)

    @app.post("/scenes/{name}/program")
    def program(name: str, body: Program) -> dict:
        return execution_json(run_program(body.program, ExecContext(registry.get(name).memory())))

    @app.get("/scenes/{name}")
    def scene_summary(name: str) -> dict:
        live = registry.get(name)
        if live.agent is not None and live.acknowledged == 0:
            return {**live.status(), "objects": [], "cameras": []}
        memory = live.memory()
        return {**live.status(), "objects": objects_json(memory),
                "cameras": [{"view": i, "time": c.time, "cam_to_world": [list(r) for r in c.cam_to_world]}
                            for i, c in enumerate(memory.cameras)],
                "scale": memory.scale.model_dump(), "room_floor_area_m2": memory.room.floor_area}

    @app.get("/scenes/{name}/bev.png", response_class=Response)
    def bev(name: str) -> Response:
        return Response(render_bev(registry.get(name).memory()), media_type="image/png")

    @app.get("/scenes/{name}/cloud.ply", response_class=Response)
    def cloud(name: str) -> Response:
        memory = registry.get(name).memory()
        with tempfile.TemporaryDirectory() as folder:
            path = write_ply(Path(folder) / "cloud.ply", memory)
            return Response(path.read_bytes(), media_type="application/octet-stream")

    @app.get("/scenes/{name}/events")
    async def events(name: str, until_idle: bool = False) -> StreamingResponse:
        """Server-sent events: the scene's status each time a frame is added (with until_idle, until the queue is empty)."""
        live = registry.get(name)

        async def stream():
            last = None
            while True:
                status = live.status()
                if status != last:
                    yield f"data: {json.dumps(status)}\n\n"
                    last = status
                if until_idle and status["processed"] >= status["acknowledged"]:
                    return
                await asyncio.sleep(0.1)

        return StreamingResponse(stream(), media_type="text/event-stream")

    @app.get("/reference", response_class=Response)
    def reference() -> Response:
        """The DSL's op reference, generated from the op registry."""
        return Response(op_reference(), media_type="text/markdown")

    return app
