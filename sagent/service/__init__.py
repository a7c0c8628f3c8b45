"""sagent as a service: an MCP tool server for agents (`mcp_server`) over named scene memories (`scenes`)."""
