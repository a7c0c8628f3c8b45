"""`sagent mcp` over stdio, as an agent sees it: a real client session with a spawned server."""

import asyncio
import base64
import json
import os
import sys

import pytest

pytest.importorskip("mcp")
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

from sagent.cli import main  # noqa: E402
from sagent.dsl import op_reference  # noqa: E402
from tests.conftest import EXAMPLE_LAYOUT  # noqa: E402
from tests.synthetic_rooms import room  # noqa: E402

LAYOUT = f"{EXAMPLE_LAYOUT}:living_room"
QUESTION = "Which is closer to the sofa, the lamp or the door?"


def _session(calls):
    """Runs `calls(session)` in a client session with a `sagent mcp` server spawned over stdio."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "sagent", "mcp"],
                                   env={"SAGENT_CACHE_DIR": os.environ["SAGENT_CACHE_DIR"]})

    async def run():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return await calls(session)

    return asyncio.run(run())


def _text(result) -> str:
    return "".join(part.text for part in result.content if part.type == "text")


def test_an_agent_lists_the_tools_and_gets_the_answer_sagent_ask_gives(capsys):
    assert main(["ask", "--json", "--layout", LAYOUT, QUESTION]) == 0
    expected = json.loads(capsys.readouterr().out)

    async def calls(session):
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        answer = await session.call_tool("ask", {"question": QUESTION, "input": LAYOUT})
        loaded = await session.call_tool("load", {"input": LAYOUT})
        again = await session.call_tool("ask", {"question": QUESTION, "scene": "living_room",
                                                "planner": {"kind": "rules"}})
        reference = await session.read_resource("sagent://dsl/reference")
        return tools, answer, loaded, again, reference

    tools, answer, loaded, again, reference = _session(calls)
    assert {"ask", "load", "objects", "scene_facts", "dsl_reference", "check_program", "run_program",
            "render_view", "render_map"} <= set(tools)
    # The input schemas come from the config tree: the planner's knobs with their descriptions and limits.
    planner = tools["ask"].input_schema["$defs"]["PlannerSettings"]["properties"]
    assert planner["max_steps"]["exclusiveMinimum"] == 0 and "repairs" in planner["max_repairs"]["description"]
    for result in (answer, again):
        assert not result.is_error
        got = json.loads(_text(result))
        assert {k: got[k] for k in ("value", "unit", "program", "objects", "text")} == \
            {k: expected[k] for k in ("value", "unit", "program", "objects", "text")}
    assert json.loads(_text(loaded))["scene"] == "living_room"
    assert reference.contents[0].text == op_reference()


def test_a_program_error_comes_back_as_a_tool_error_with_its_caret():
    async def calls(session):
        await session.call_tool("load", {"input": LAYOUT})
        bad = await session.call_tool("check_program", {"program": 'answer count(objects("piano"))',
                                                        "scene": "living_room"})
        runs = await session.call_tool("run_program", {"program": 'answer count(objects("chair"))',
                                                       "scene": "living_room"})
        unknown = await session.call_tool("objects", {"scene": "kitchen"})
        return bad, runs, unknown

    bad, runs, unknown = _session(calls)
    assert bad.is_error and "unknown label 'piano'" in _text(bad) and "^^^" in _text(bad)
    assert not runs.is_error and json.loads(_text(runs))["value"] == 2
    assert unknown.is_error and "no scene called 'kitchen'" in _text(unknown) and "living_room" in _text(unknown)


def test_render_view_returns_an_image():
    frames = str(room(3, masks=True, frames=6) / "frames.json")

    async def calls(session):
        loaded = await session.call_tool("load", {"input": frames, "name": "room"})
        view = await session.call_tool("render_view", {"scene": "room", "view": 2})
        plan = await session.call_tool("render_map", {"scene": "room"})
        return loaded, view, plan

    loaded, view, plan = _session(calls)
    assert not loaded.is_error and json.loads(_text(loaded))["views"] == 6
    for result in (view, plan):
        (image,) = [part for part in result.content if part.type == "image"]
        assert image.mime_type == "image/png" and base64.b64decode(image.data).startswith(b"\x89PNG")


def test_the_same_tools_over_streamable_http_on_loopback():
    import socket
    import subprocess
    import time

    from mcp.client.streamable_http import streamable_http_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "sagent", "mcp", "--http", str(port), "-q"],
                              env={**os.environ}, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)

        async def run():
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write), \
                    ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                answer = await session.call_tool("ask", {"question": QUESTION, "input": LAYOUT})
                return {tool.name for tool in tools.tools}, answer

        names, answer = asyncio.run(run())
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert {"ask", "run_program", "render_map"} <= names
    assert json.loads(_text(answer))["value"] == "lamp"
