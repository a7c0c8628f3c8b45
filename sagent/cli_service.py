"""`sagent mcp`: sagent's tools served to agents (`sagent.service.mcp_server`)."""

from __future__ import annotations

from sagent.cli_commands import McpCommand
from sagent.service.mcp_server import build_server
from sagent.service.scenes import SceneStore
from sagent.tools.io.progress import progress_bars


def cmd_mcp(args: McpCommand) -> int:
    """Serve until the client closes stdin (or, with --http, until interrupted)."""
    server = build_server(SceneStore(args.cache))
    with progress_bars(False):  # stdout is the protocol: nothing but logs may reach a terminal
        if args.http is None:
            server.run("stdio")
        else:
            server.run("streamable-http", host="127.0.0.1", port=args.http)
    return 0
