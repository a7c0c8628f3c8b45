"""`sagent mcp` (sagent's tools for agents, `service.mcp_server`) and `sagent serve` (the HTTP API, `service.http_api`)."""

from __future__ import annotations

from pathlib import Path

from sagent.agent.planners import with_detector_model
from sagent.cli_commands import McpCommand, ServeCommand
from sagent.errors import InputError
from sagent.service.http_api import build_app
from sagent.service.mcp_server import build_server
from sagent.service.registry import Registry
from sagent.service.scenes import SceneStore
from sagent.settings import environment
from sagent.tools.io.progress import progress_bars


def cmd_mcp(args: McpCommand) -> int:
    """Serve until the client closes stdin (or, with --http, until interrupted)."""
    server = build_server(SceneStore(args.cache), args.perception)
    with progress_bars(False):  # stdout is the protocol: nothing but logs may reach a terminal
        if args.http is None:
            server.run("stdio")
        else:
            server.run("streamable-http", host="127.0.0.1", port=args.http)
    return 0


def cmd_serve(args: ServeCommand) -> int:
    """Serve until interrupted. Refuses to listen beyond loopback without a token."""
    import uvicorn

    settings = args.serve
    if settings.token is None and environment().serve_token:
        settings = type(settings)(**{**dict(settings), "token": environment().serve_token})
    if settings.token is not None and not settings.token.get_secret_value().strip():
        raise InputError("--token is empty: give a token clients can send (Authorization: Bearer TOKEN)")
    if not settings.loopback() and settings.token is None:
        raise InputError(f"--host {settings.host} listens beyond this machine: give --token TOKEN (or "
                         "SAGENT_SERVE_TOKEN) so that only clients holding it are served")
    state = Path(settings.state) if settings.state else args.cache.root() / "service"
    roots = [Path(root) for root in settings.data_root] or [Path.cwd()]
    registry = Registry(state, roots, with_detector_model(args.perception, args.planner), args.cache, settings.queue)
    app = build_app(registry, settings, args.planner)
    with progress_bars(False):
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
    return 0
